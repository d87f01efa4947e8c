import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface GroupRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Run as this user and group (sandbox mode `user`). */
  uid?: number;
  gid?: number;
  deadlineMs: number;
  killGraceMs: number;
  signal?: AbortSignal;
  onStdoutLine?: (line: string) => void;
  onStderr?: (chunk: string) => void;
  /** Told when the runner starts stopping the process (deadline or cancel). */
  onStopping?: (why: 'deadline' | 'cancelled', how: 'SIGINT' | 'SIGKILL') => void;
}

export interface GroupRunExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  spawnError?: string;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

/**
 * Process groups started here and still running. They are detached (so a deadline can stop the
 * agent and everything it started), which also means they would outlive this process: on exit,
 * whatever is left is killed.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

/** Stops every group still running (SIGKILL): for service shutdown. Returns how many there were. */
export function killAllProcessGroups(): number {
  const n = liveGroups.size;
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  return n;
}

/**
 * Runs a command detached in its own process group and owns its deadline. The CLI ignores
 * SIGTERM while the agent works and its tools start their own children, so stopping means SIGINT
 * to the whole group, then SIGKILL after a grace period. Whatever is left in the group when the
 * leader exits (a server the agent started, say) is killed too.
 */
export function runInProcessGroup(command: string, args: string[], options: GroupRunOptions): Promise<GroupRunExit> {
  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { cwd: options.cwd, env: options.env, uid: options.uid, gid: options.gid, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      // spawn throws synchronously for some failures (EPERM when setting the user, bad arguments).
      resolve({ exitCode: null, signal: null, timedOut: false, cancelled: false, spawnError: `${(err as NodeJS.ErrnoException).code ?? 'error'}: cannot start ${command}` });
      return;
    }
    if (child.pid) {
      installExitHook();
      liveGroups.add(child.pid);
    }

    const stop = (why: 'deadline' | 'cancelled') => {
      if (!child.pid || child.exitCode !== null || graceTimer) return;
      if (why === 'deadline') timedOut = true;
      else cancelled = true;
      options.onStopping?.(why, 'SIGINT');
      killGroup(child.pid, 'SIGINT');
      graceTimer = setTimeout(() => {
        options.onStopping?.(why, 'SIGKILL');
        if (child.pid) killGroup(child.pid, 'SIGKILL');
      }, options.killGraceMs);
    };
    const deadline = setTimeout(() => stop('deadline'), options.deadlineMs);
    const onAbort = () => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (exit: GroupRunExit) => {
      if (settled) return;
      settled = true;
      if (child.pid) liveGroups.delete(child.pid);
      clearTimeout(deadline);
      if (graceTimer) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(exit);
    };

    if (child.stdout) createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => options.onStdoutLine?.(line));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => options.onStderr?.(chunk));

    child.on('error', (err: NodeJS.ErrnoException) => {
      if (!child.pid) finish({ exitCode: null, signal: null, timedOut: false, cancelled: false, spawnError: `${err.code ?? 'error'}: cannot start ${command}` });
    });
    child.on('exit', () => {
      if (child.pid) killGroup(child.pid, 'SIGKILL');
    });
    child.on('close', (code, signal) => finish({ exitCode: code, signal, timedOut, cancelled }));
    if (options.signal?.aborted) onAbort();
  });
}
