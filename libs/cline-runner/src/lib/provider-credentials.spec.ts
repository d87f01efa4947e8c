import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeProviderKey } from './provider-credentials';

const provider = { provider: 'openai-compatible', model: 'm', baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-provider-secret-0123456789' };
const authWritten = JSON.stringify({ providers: { 'openai-compatible': { settings: { apiKey: 'placeholder', baseUrl: provider.baseUrl } } } });
const isRoot = process.getuid?.() === 0;

describe('storeProviderKey', () => {
  let dataDir: string;
  let settingsFile: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'provider-key-'));
    mkdirSync(join(dataDir, 'settings'));
    settingsFile = join(dataDir, 'settings', 'providers.json');
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('puts the key in the settings cline auth wrote, readable by their owner only', async () => {
    writeFileSync(settingsFile, authWritten, { mode: 0o644 });
    await storeProviderKey(dataDir, provider);
    const stored = JSON.parse(readFileSync(settingsFile, 'utf8'));
    expect(stored.providers['openai-compatible'].settings).toEqual({ apiKey: provider.apiKey, baseUrl: provider.baseUrl });
    expect(statSync(settingsFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dataDir, 'settings'))).toEqual(['providers.json']);
  });

  (isRoot ? it : it.skip)('keeps the file owned by the sandbox user that ran cline auth (user mode)', async () => {
    writeFileSync(settingsFile, authWritten);
    chownSync(join(dataDir, 'settings'), 65534, 65534);
    chownSync(settingsFile, 65534, 65534);
    await storeProviderKey(dataDir, provider);
    expect(statSync(settingsFile)).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('refuses a settings file swapped for a symlink, and writes nothing through it', async () => {
    const elsewhere = join(dataDir, 'service-file.json');
    writeFileSync(elsewhere, authWritten);
    symlinkSync(elsewhere, settingsFile);
    await expect(storeProviderKey(dataDir, provider)).rejects.toThrow();
    expect(readFileSync(elsewhere, 'utf8')).toBe(authWritten);
    expect(readdirSync(join(dataDir, 'settings'))).toEqual(['providers.json']);
  });
});
