import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { SandboxMode } from './sandbox';

const execFileAsync = promisify(execFile);

/** Who untrusted code runs as: only `user` mode switches to another uid. */
export interface SandboxIdentity {
  mode: SandboxMode;
  /** `user` mode: the unprivileged user and group the code runs as (the service must be root). */
  uid?: number;
  gid?: number;
}

/** Hands lent paths back to their owners; safe to call more than once. */
export type GiveBack = () => Promise<void>;

/**
 * Gives everyone search permission (never listing) on every parent directory of each path, so
 * another uid can reach it: a parent made by mkdtemp is 0700. Kept afterwards, as concurrent runs
 * may share those parents.
 */
export async function makeReachable(paths: string[]): Promise<void> {
  for (const path of paths) {
    for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    }
  }
}

/**
 * `user` mode: the sandbox user must own what it works in (a checkout, a HOME, a run's temp dir)
 * and be able to reach it, or it cannot write there. Ownership goes back to whoever owned each
 * path before, so anything the sandbox user created inside becomes the service's, and the write
 * permission it may have given group and others (a 0777 directory) is taken away: a process it
 * left running in the background keeps its uid, and must not be able to change the tree while
 * the service works in it. Symlinks are changed, never followed (-h; chmod skips them); hard
 * links to foreign files cannot be planted while fs.protected_hardlinks is on (the Linux
 * default). From its first lending on, each path is its owner's alone (the sandbox user's while
 * lent, the service's afterwards: no group or other permission on it), before its parents are
 * made reachable: another job's sandbox user, which can find the path (listing the work dir, the
 * agent's command line), can never enter it. Any other mode lends nothing.
 */
export async function lendToSandboxUser(paths: string[], sandbox: SandboxIdentity): Promise<GiveBack> {
  const { uid, gid } = sandbox;
  if (sandbox.mode !== 'user' || uid === undefined || gid === undefined) return async () => undefined;
  const unique = [...new Set(paths)];
  const owners = await Promise.all(unique.map(async (path) => ({ path, stats: await stat(path) })));
  const chown = (path: string, owner: number, group: number) => execFileAsync('chown', ['-R', '-h', `${owner}:${group}`, path]);
  let givenBack = false;
  const giveBack = async () => {
    if (givenBack) return;
    for (const { path, stats } of owners) {
      if (!existsSync(path)) continue;
      await chown(path, stats.uid, stats.gid);
      // set-id bits too: chown clears them on files, not on directories.
      await execFileAsync('chmod', ['-R', 'go-w,ug-s', path]);
      await chmod(path, stats.mode & 0o1700);
    }
    givenBack = true;
  };
  try {
    for (const { path, stats } of owners) {
      await chown(path, uid, gid);
      await chmod(path, stats.mode & 0o1700);
    }
    await makeReachable(unique);
  } catch (err) {
    await giveBack().catch(() => undefined);
    throw err;
  }
  return giveBack;
}
