import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { SandboxMode, sandboxCommand } from '@epitrace/sandbox';

const execFileAsync = promisify(execFile);

/** How the agent itself is confined (see @epitrace/sandbox for what each mode protects against). */
export interface ClineSandboxSettings {
  mode: SandboxMode;
  /** `user` mode: the unprivileged user and group the agent runs as (the service must be root). */
  uid?: number;
  gid?: number;
  bwrapPath?: string;
}

export interface AgentSpawn {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
}

/**
 * The files the CLI needs to start: the binary and, when it is the npm package's native binary,
 * the package and its @cline/* siblings (platform package, bundled assets).
 */
export function clineReadablePaths(binary: string): string[] {
  if (!isAbsolute(binary) || !existsSync(binary)) return [];
  const real = realpathSync(binary);
  const paths = [dirname(real)];
  const binDir = dirname(real);
  if (basename(binDir) === 'bin') {
    const packageRoot = dirname(binDir);
    paths.push(packageRoot);
    const scoped = join(dirname(packageRoot), '@cline');
    if (basename(dirname(packageRoot)) === 'node_modules' && existsSync(scoped)) paths.push(scoped);
  }
  return paths;
}

/** Wraps one CLI invocation in the configured sandbox; the run's temp dir is its only other writable place. */
export function sandboxedAgent(
  binary: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  paths: { workdir: string; runRoot: string; readable?: string[] },
  sandbox: ClineSandboxSettings,
): AgentSpawn {
  const cleanEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) cleanEnv[key] = value;
  return sandboxCommand(binary, args, {
    mode: sandbox.mode,
    uid: sandbox.uid,
    gid: sandbox.gid,
    bwrapPath: sandbox.bwrapPath,
    workdir: paths.workdir,
    writable: [paths.runRoot],
    readable: [...clineReadablePaths(binary), ...(paths.readable ?? [])],
    env: cleanEnv,
  });
}

/**
 * `user` mode: the agent's user must own the checkout and the run's temp dir while it works, and
 * be able to reach them: a parent made by mkdtemp is 0700, so it gets search permission (not
 * listing; kept afterwards, as concurrent runs may share that parent). Ownership goes back
 * afterwards, so the service's own git commands see a repository they own. Symlinks are
 * changed, never followed (-h). Found by CI in a clone under a 0700 mktemp directory, where the
 * sandbox user could not reach the cline binary.
 */
export async function lendToSandboxUser(paths: string[], sandbox: ClineSandboxSettings, reachOnly: string[] = []): Promise<() => Promise<void>> {
  const { uid, gid } = sandbox;
  if (sandbox.mode !== 'user' || uid === undefined || gid === undefined) return async () => undefined;
  const owners = await Promise.all(paths.map(async (path) => ({ path, stats: await stat(path) })));
  // `reachOnly` (the CLI binary's directories) is only read: it needs search permission on its
  // parents (an install under a 0700 directory is otherwise unreachable) but keeps its owner.
  for (const path of [...paths, ...reachOnly]) {
    for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    }
  }
  const chown = (path: string, owner: number, group: number) => execFileAsync('chown', ['-R', '-h', `${owner}:${group}`, path]);
  const giveBack = async () => {
    for (const { path, stats } of owners) if (existsSync(path)) await chown(path, stats.uid, stats.gid);
  };
  try {
    for (const path of paths) await chown(path, uid, gid);
  } catch (err) {
    await giveBack().catch(() => undefined);
    throw err;
  }
  return giveBack;
}

/**
 * Fails at boot rather than on the first incident: bwrap must be installed and allowed to create
 * its namespaces here; `user` mode needs a root service to switch users.
 */
export async function assertSandboxUsable(sandbox: ClineSandboxSettings): Promise<void> {
  if (sandbox.mode === 'user' && process.getuid?.() !== 0) {
    throw new Error('SANDBOX_MODE=user needs the service to run as root (it switches to SANDBOX_UID for each run)');
  }
  if (sandbox.mode === 'bwrap') {
    const bwrap = sandbox.bwrapPath ?? 'bwrap';
    try {
      await execFileAsync(bwrap, ['--ro-bind', '/', '/', '--unshare-pid', '--die-with-parent', '--', 'true'], { timeout: 10_000 });
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${bwrap} is not installed (Debian: apt-get install bubblewrap)` : (err as Error).message.split('\n')[0];
      throw new Error(`SANDBOX_MODE=bwrap is not usable on this host: ${reason}`);
    }
  }
}
