import { randomBytes } from 'node:crypto';
import { SecretCipher } from './secret-cipher';
import { maskUrl, redactSecrets } from './redact';

describe('SecretCipher', () => {
  const cipher = new SecretCipher(randomBytes(32).toString('base64'));

  it('round-trips a value and never stores it in clear', () => {
    const sealed = cipher.encrypt('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(sealed).not.toContain('ghp_');
    expect(cipher.decrypt(sealed)).toBe('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('uses a fresh IV each time, so equal secrets do not look equal at rest', () => {
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('refuses a tampered value or a wrong key', () => {
    const sealed = cipher.encrypt('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
    expect(() => new SecretCipher(randomBytes(32).toString('base64')).decrypt(sealed)).toThrow();
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretCipher(randomBytes(16).toString('base64'))).toThrow('32-byte');
  });
});

describe('redactSecrets', () => {
  it('removes known values and credential-shaped strings', () => {
    const text =
      'clone https://x-access-token:ghp_0123456789abcdefghijABCDEFGHIJ@github.com/a/b failed; ' +
      'hook https://hooks.slack.com/services/T000/B000/XXXXYYYY and key sk-abcdefghijklmnopqrstu and mysecretvalue';
    const out = redactSecrets(text, ['mysecretvalue']);
    expect(out).not.toMatch(/ghp_|hooks\.slack\.com\/services|sk-abc|mysecretvalue/);
    expect(out).toContain('github.com/a/b');
  });

  it('masks URLs to host and last four characters', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/abcdwxyz')).toBe('https://hooks.slack.com/…wxyz');
  });
});
