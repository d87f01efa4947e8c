import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigValidationError } from './config-error';
import { loadConfig } from './load-config';
import { baseEnvSchema, encryptionKey, jwtSecret } from './schema-parts';

const schema = baseEnvSchema.extend({ JWT_SECRET: jwtSecret, ENCRYPTION_KEY: encryptionKey });

describe('loadConfig', () => {
  const secretsFile = () => join(mkdtempSync(join(tmpdir(), 'epitrace-cfg-')), 'dev-secrets.json');

  it('fills safe local defaults when nothing is set', () => {
    const config = loadConfig('t', schema, { env: { EPITRACE_DEV_SECRETS_FILE: secretsFile() }, devSecrets: ['JWT_SECRET', 'ENCRYPTION_KEY'], warn: () => undefined });
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/epitrace');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(Buffer.from(config.ENCRYPTION_KEY, 'base64')).toHaveLength(32);
  });

  it('generates development secrets once and shares them between apps, with a warning', () => {
    const file = secretsFile();
    const warnings: string[] = [];
    const a = loadConfig('a', schema, { env: { EPITRACE_DEV_SECRETS_FILE: file }, devSecrets: ['JWT_SECRET', 'ENCRYPTION_KEY'], warn: (m) => warnings.push(m) });
    const b = loadConfig('b', schema, { env: { EPITRACE_DEV_SECRETS_FILE: file }, devSecrets: ['JWT_SECRET', 'ENCRYPTION_KEY'], warn: () => undefined });
    expect(a.JWT_SECRET).toBe(b.JWT_SECRET);
    expect(JSON.parse(readFileSync(file, 'utf8')).JWT_SECRET).toBe(a.JWT_SECRET);
    expect(warnings[0]).toMatch(/JWT_SECRET, ENCRYPTION_KEY not set; using generated development values/);
  });

  it('refuses to generate secrets in production and names every bad or missing key', () => {
    try {
      loadConfig('api', schema, {
        env: { NODE_ENV: 'production', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' },
        devSecrets: ['JWT_SECRET', 'ENCRYPTION_KEY'],
      });
      throw new Error('expected a ConfigValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      const message = (err as Error).message;
      for (const key of ['DATABASE_URL', 'LOG_LEVEL', 'JWT_SECRET', 'ENCRYPTION_KEY']) expect(message).toContain(key);
    }
  });

  it('rejects an encryption key of the wrong length', () => {
    expect(() => loadConfig('t', z.object({ ENCRYPTION_KEY: encryptionKey }), { env: { ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') } })).toThrow(
      /32 bytes/,
    );
  });
});
