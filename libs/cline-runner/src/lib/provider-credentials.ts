import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, rm } from 'node:fs/promises';
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
 *
 * In `user` mode the directory belongs to the sandbox user while this (root) code edits the file,
 * so a process the sandbox left running could swap the file for a symlink: it is read with
 * O_NOFOLLOW and replaced by a new file (O_EXCL, then rename, which replaces a link rather than
 * following it), owned by whoever owned the file `cline auth` wrote.
 */
export async function storeProviderKey(dataDir: string, provider: ClineProviderSettings): Promise<void> {
  if (!provider.apiKey) return;
  const file = join(dataDir, 'settings', 'providers.json');
  const original = await readFileNoFollow(file);
  const stored = JSON.parse(original.text) as { providers?: Record<string, { settings?: Record<string, unknown> }> };
  const settings = stored.providers?.[provider.provider]?.settings;
  if (!settings) throw new Error(`cline auth did not record provider "${provider.provider}" in its settings`);
  settings['apiKey'] = provider.apiKey;
  await replaceFileNoFollow(file, JSON.stringify(stored, null, 2), original.owner);
}

async function readFileNoFollow(file: string): Promise<{ text: string; owner: { uid: number; gid: number } }> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`${file} is not a regular file`);
    return { text: await handle.readFile('utf8'), owner: { uid: stats.uid, gid: stats.gid } };
  } finally {
    await handle.close();
  }
}

async function replaceFileNoFollow(file: string, content: string, owner: { uid: number; gid: number }): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(content);
    const self = { uid: process.getuid?.(), gid: process.getgid?.() };
    if (owner.uid !== self.uid || owner.gid !== self.gid) await handle.chown(owner.uid, owner.gid);
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  // The directory entry, not what it points to: a symlink planted at `file` is replaced, never followed.
  if ((await lstat(file)).isSymbolicLink()) throw new Error(`${file} was replaced by a symlink while the key was being stored`);
  await rename(temp, file);
}
