const REDACTED = '[REDACTED]';

/** Patterns of credentials that may appear in free text (git output, agent logs, errors). */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, // Slack tokens
  /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g,
  /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/[0-9]+\/[A-Za-z0-9_-]+/g,
  /\bsk-[A-Za-z0-9_-]{16,}\b/g, // OpenAI / Anthropic style API keys
];

/** Credentials that sit behind a recognisable prefix which is worth keeping for context. */
const PREFIXED_CREDENTIALS: RegExp[] = [
  /(\/\/)[^/\s:@]+:[^/\s@]+(?=@)/g, // user:password@ in URLs
  /(authorization:\s*(?:bearer|basic|token)\s+)[^\s"']+/gi,
];

/**
 * Removes known secrets (exact values the caller knows) and anything shaped like a credential.
 * Used on every line that leaves a process towards logs, the live log stream or an alert.
 */
export function redactSecrets(text: string, knownSecrets: readonly (string | undefined | null)[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of CREDENTIAL_PATTERNS) out = out.replace(pattern, REDACTED);
  for (const pattern of PREFIXED_CREDENTIALS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

/** `https://hooks.slack.com/services/T0/B0/abcd…wxyz` → `https://hooks.slack.com/…wxyz`: enough to recognise, useless to post with. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const tail = url.slice(-4);
    return `${u.protocol}//${u.host}/…${tail}`;
  } catch {
    return `…${url.slice(-4)}`;
  }
}
