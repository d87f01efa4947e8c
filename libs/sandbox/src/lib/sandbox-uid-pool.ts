import type { SandboxIdentity } from './lend-to-sandbox-user';
import { killProcessesOfUid } from './kill-uid-processes';
import type { SandboxMode } from './sandbox';
import type { SandboxEnv } from './sandbox-env';

/** What the pool logs to (a Nest Logger is one). */
export interface SandboxPoolLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SandboxUidPoolSettings {
  mode: SandboxMode;
  /** `user` mode: the first uid and gid of the range; identity i is (uid + i, gid + i). */
  uid?: number;
  gid?: number;
  /** How many identities the range holds. */
  count: number;
}

/** One job's identity, held from its first sandboxed step to its end. */
export interface SandboxLease {
  /** What to run the job's commands as (for ProcessRunner and the like). */
  identity: SandboxIdentity;
  /** `user` mode only: the uid/gid of this lease (for ClineRunner's per-run `sandboxUser`). */
  user?: { uid: number; gid: number };
  /** Kills what the job left running as the uid, then hands the identity to the next job. Safe to call more than once. */
  release(): Promise<void>;
}

interface Waiter {
  take(index: number): void;
  refuse(err: Error): void;
}

/**
 * `user` mode: gives each job a uid/gid pair of its own, so that code run for one job can neither
 * read another's lent checkout (through /proc/<pid>/cwd, which needs the same uid) nor signal its
 * processes, and a background process one job leaves behind is killed before its uid serves the
 * next job. When every pair is taken a job waits for one: with one pair, jobs' sandboxed work is
 * serialised rather than sharing a uid. Other modes switch no user: a lease is handed out at once.
 */
export class SandboxUidPool {
  private readonly free: number[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly switchesUsers: boolean;
  private closed = false;

  constructor(
    private readonly settings: SandboxUidPoolSettings,
    private readonly logger: SandboxPoolLogger,
  ) {
    this.switchesUsers = settings.mode === 'user';
    if (this.switchesUsers && (settings.uid === undefined || settings.gid === undefined)) throw new Error('the sandbox mode "user" needs a uid and a gid');
    if (!Number.isInteger(settings.count) || settings.count < 1) throw new Error(`a sandbox id range holds at least one id, not ${settings.count}`);
    for (let i = 0; i < settings.count; i++) this.free.push(i);
  }

  static fromEnv(env: SandboxEnv, logger: SandboxPoolLogger): SandboxUidPool {
    return new SandboxUidPool({ mode: env.SANDBOX_MODE, uid: env.SANDBOX_UID, gid: env.SANDBOX_GID, count: env.SANDBOX_ID_COUNT }, logger);
  }

  /** Before the first job: a process of an earlier run of the service may still hold one of the uids. */
  async onModuleInit(): Promise<void> {
    if (!this.switchesUsers) return;
    await this.killAll();
  }

  /**
   * Jobs are stopped at shutdown; whatever they started must not outlive the service, and a job
   * still waiting for an identity must not start now.
   */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.refuse(new Error('the service is shutting down'));
    if (this.switchesUsers) await this.killAll();
  }

  /**
   * An identity for `job` (named in the log line when it has to wait), exclusive until released.
   * Rejects when `signal` aborts while waiting.
   */
  async acquire(job: string, signal?: AbortSignal): Promise<SandboxLease> {
    if (!this.switchesUsers) return { identity: { mode: this.settings.mode }, release: async () => undefined };
    signal?.throwIfAborted();
    if (this.closed) throw new Error('the service is shutting down');
    const index = this.free.shift() ?? (await this.waitForFree(job, signal));
    const uid = this.uidOf(index);
    const gid = (this.settings.gid as number) + index;
    let released: Promise<void> | undefined;
    return {
      identity: { mode: 'user', uid, gid },
      user: { uid, gid },
      release: () => (released ??= this.giveBack(index)),
    };
  }

  private waitForFree(job: string, signal?: AbortSignal): Promise<number> {
    this.logger.log(`${job} waits for a sandbox identity: all ${this.settings.count} (SANDBOX_ID_COUNT) are in use by other jobs`);
    return new Promise<number>((resolve, reject) => {
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const waiter: Waiter = {
        take: (index) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(index);
        },
        refuse: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * An identity whose leftovers could not be killed is not handed out again: the next job would
   * share the uid with them. Its jobs wait for the others instead (logged as an error).
   */
  private async giveBack(index: number): Promise<void> {
    const uid = this.uidOf(index);
    try {
      await killProcessesOfUid(uid);
    } catch (err) {
      this.logger.error(`sandbox uid ${uid} is taken out of use: its leftover processes could not be killed: ${(err as Error).message}`);
      throw err;
    }
    const next = this.waiters.shift();
    if (next) next.take(index);
    else this.free.push(index);
  }

  private async killAll(): Promise<void> {
    for (let i = 0; i < this.settings.count; i++) {
      const killed = await killProcessesOfUid(this.uidOf(i));
      if (killed.length) this.logger.warn(`killed ${killed.length} process(es) left running as sandbox uid ${this.uidOf(i)}`);
    }
  }

  private uidOf(index: number): number {
    return (this.settings.uid as number) + index;
  }
}
