import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const DEV_SECRET_KEYS = ['JWT_SECRET', 'ENCRYPTION_KEY', 'INGEST_SECRET', 'FIX_LINK_SECRET'] as const;
export type DevSecretKey = (typeof DEV_SECRET_KEYS)[number];

/** Where generated development secrets live: shared by the four apps so they agree on keys. */
export function devSecretsPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['EPITRACE_DEV_SECRETS_FILE'] ?? join(process.cwd(), '.epitrace', 'dev-secrets.json'));
}

function generate(): Record<DevSecretKey, string> {
  return {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    INGEST_SECRET: randomBytes(32).toString('base64url'),
    FIX_LINK_SECRET: randomBytes(48).toString('base64url'),
  };
}

/**
 * Returns the development secrets, creating the file on first use. Creation is atomic
 * (write a temp file, then hard-link it into place) because all four apps start at once and
 * must end up with the same keys.
 */
export function loadOrCreateDevSecrets(path = devSecretsPath()): Record<DevSecretKey, string> {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(generate(), null, 2), { mode: 0o600 });
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Record<DevSecretKey, string>>;
  const missing = DEV_SECRET_KEYS.filter((k) => !parsed[k]);
  if (missing.length) throw new Error(`${path} lacks ${missing.join(', ')}; delete it to regenerate`);
  return parsed as Record<DevSecretKey, string>;
}
