import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { GiveBack, SandboxIdentity, SandboxedCommand, lendToSandboxUser, makeReachable, sandboxCommand } from '@epitrace/sandbox';

const execFileAsync = promisify(execFile);

/** How the agent itself is confined (see @epitrace/sandbox for what each mode protects against). */
export interface ClineSandboxSettings extends SandboxIdentity {
  bwrapPath?: string;
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
): SandboxedCommand {
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
 * `user` mode: lends the run's directories (checkout, temp dir, readable context) to the sandbox
 * user for the run. The CLI's own install is only read: it keeps its owner but needs search
 * permission on its parents; found by CI in a clone under a 0700 mktemp directory, where the
 * sandbox user could not reach the cline binary.
 */
export async function lendRunToSandboxUser(paths: string[], sandbox: ClineSandboxSettings, binary: string): Promise<GiveBack> {
  if (sandbox.mode === 'user') await makeReachable(clineReadablePaths(binary));
  return lendToSandboxUser(paths, sandbox);
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
