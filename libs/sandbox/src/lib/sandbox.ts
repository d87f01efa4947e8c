import { existsSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * How untrusted code (the Cline agent, the repository's own tests) is run:
 * - `none`: as the service's user, with a scrubbed environment only. Protects the service's
 *   secrets in env vars; nothing else.
 * - `user`: as an unprivileged Unix user (setuid at spawn; the service must run as root), with a
 *   scrubbed environment. The code cannot read files only the service user can read (its .env,
 *   other jobs' workspaces if they are 0700), nor signal the service.
 * - `bwrap`: inside a bubblewrap sandbox: a fresh mount namespace in which only the job's
 *   workspace is writable, the system is read-only, /tmp is private, the service's own
 *   directories, $HOME and other jobs' workspaces are not visible at all; separate PID/IPC/UTS
 *   namespaces; network kept (the agent must reach its LLM, tests may need packages).
 */
export const SANDBOX_MODES = ['none', 'user', 'bwrap'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export interface SandboxOptions {
  mode: SandboxMode;
  /** The job's workspace: the only writable place (bwrap) and the working directory. */
  workdir: string;
  /** Further directories that must stay writable (e.g. the run's temp config dir). */
  writable?: string[];
  /** Files or directories to expose read-only (e.g. the cline binary, the Node.js install). */
  readable?: string[];
  /** Unix user for `user` mode. */
  uid?: number;
  gid?: number;
  /** Environment for the child; nothing of the service's own environment is inherited. */
  env: Record<string, string>;
  /** Path of the bwrap executable. */
  bwrapPath?: string;
}

export interface SandboxedCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
}

/** The variables a build or test tool legitimately needs from the host, and nothing else. */
const HOST_VARIABLES = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TERM'];

export function scrubbedEnv(extra: Record<string, string>, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of HOST_VARIABLES) {
    const value = host[key];
    if (value !== undefined) env[key] = value;
  }
  env['PATH'] ??= '/usr/local/bin:/usr/bin:/bin';
  return { ...env, ...extra };
}

/** System paths made visible read-only inside bwrap (those that exist on this host). */
const READ_ONLY_SYSTEM = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/etc/alternatives',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/nsswitch.conf',
  '/etc/passwd',
  '/etc/group',
  '/etc/localtime',
  '/etc/gitconfig',
];

function bindArgs(flag: '--ro-bind' | '--bind', path: string): string[] {
  return [flag, path, path];
}

/** Wraps `command args` so that it runs under the chosen sandbox. */
export function sandboxCommand(command: string, args: string[], options: SandboxOptions): SandboxedCommand {
  const env = options.env;
  switch (options.mode) {
    case 'none':
      return { command, args, env, cwd: options.workdir };
    case 'user':
      if (options.uid === undefined || options.gid === undefined) throw new Error('sandbox mode "user" needs uid and gid');
      return { command, args, env, cwd: options.workdir, uid: options.uid, gid: options.gid };
    case 'bwrap': {
      const readable = new Set<string>();
      for (const path of READ_ONLY_SYSTEM) if (existsSync(path)) readable.add(path);
      // The Node.js install the tests and the agent's wrapper scripts use.
      readable.add(dirname(dirname(realpathSync(process.execPath))));
      for (const path of options.readable ?? []) if (existsSync(path)) readable.add(realpathSync(path));
      const bwrapArgs = [
        '--die-with-parent',
        '--unshare-user-try',
        '--unshare-pid',
        '--unshare-ipc',
        '--unshare-uts',
        '--unshare-cgroup-try',
        '--proc',
        '/proc',
        '--dev',
        '/dev',
        '--tmpfs',
        '/tmp',
        ...[...readable].flatMap((p) => bindArgs('--ro-bind', p)),
        ...bindArgs('--bind', options.workdir),
        ...(options.writable ?? []).flatMap((p) => bindArgs('--bind', p)),
        '--chdir',
        options.workdir,
        '--setenv',
        'HOME',
        env['HOME'] ?? options.workdir,
        '--',
        command,
        ...args,
      ];
      return { command: options.bwrapPath ?? 'bwrap', args: bwrapArgs, env, cwd: options.workdir };
    }
  }
}
