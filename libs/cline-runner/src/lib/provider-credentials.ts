import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClineProviderSettings } from './cline-run.types';

/** The environment variable each provider reads its key from (the CLI's own convention). */
const PROVIDER_KEY_ENV: Record<string, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  'openai-native': 'OPENAI_API_KEY',
  openrouter: 'OPENROUTER_API_KEY',
  gemini: 'GEMINI_API_KEY',
  deepseek: 'DEEPSEEK_API_KEY',
  xai: 'XAI_API_KEY',
  groq: 'GROQ_API_KEY',
  mistral: 'MISTRAL_API_KEY',
  cerebras: 'CEREBRAS_API_KEY',
};

export function providerKeyEnvName(provider: string): string | undefined {
  return PROVIDER_KEY_ENV[provider];
}

/** A provider that has to be configured with `cline auth` (base URL, or no key env var). */
export function needsAuthStep(provider: ClineProviderSettings): boolean {
  return Boolean(provider.baseUrl) || (Boolean(provider.apiKey) && !providerKeyEnvName(provider.provider));
}

/** What `cline auth` is called with. The key is a placeholder: the real one never goes into argv. */
export const AUTH_PLACEHOLDER_KEY = 'epitrace-placeholder-key';

export function authArgs(provider: ClineProviderSettings, configDir: string, dataDir: string): string[] {
  const args = ['auth', '-p', provider.provider, '-k', AUTH_PLACEHOLDER_KEY, '-m', provider.model];
  if (provider.baseUrl) args.push('-b', provider.baseUrl);
  return [...args, '--config', configDir, '--data-dir', dataDir];
}

/**
 * After `cline auth` has written its own settings file (so its format stays the CLI's business),
 * swaps the placeholder for the real key. The key is then on disk only inside the run's private
 * temp directory (mode 0600), which the runner deletes when the run ends. The CLI ignores the
 * provider env var for `openai-compatible` (verified with 3.0.65), so this is the only way that
 * keeps the key out of process arguments.
 */
export async function storeProviderKey(dataDir: string, provider: ClineProviderSettings): Promise<void> {
  if (!provider.apiKey) return;
  const file = join(dataDir, 'settings', 'providers.json');
  const stored = JSON.parse(await readFile(file, 'utf8')) as { providers?: Record<string, { settings?: Record<string, unknown> }> };
  const settings = stored.providers?.[provider.provider]?.settings;
  if (!settings) throw new Error(`cline auth did not record provider "${provider.provider}" in its settings`);
  settings['apiKey'] = provider.apiKey;
  await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
}
