import { spawn } from 'node:child_process';
import { SandboxPoolLogger, SandboxUidPool } from './sandbox-uid-pool';
import { processesOfUid } from './kill-uid-processes';

/** Ids no other spec file uses: a pool kills every process of its uids. */
const BASE = 61_100;
const isRoot = process.getuid?.() === 0;

function recordingLogger(): SandboxPoolLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(`log ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

function sleepAs(uid: number, gid: number) {
  // detached: a process of the job's own group, like one a test run leaves in the background
  const child = spawn('sleep', ['300'], { uid, gid, detached: true, stdio: 'ignore' });
  const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { pid: child.pid as number, exited };
}

describe('SandboxUidPool', () => {
  it('hands out leases at once and switches no user outside "user" mode', async () => {
    const pool = new SandboxUidPool({ mode: 'bwrap', count: 1 }, recordingLogger());
    const [a, b] = await Promise.all([pool.acquire('job a'), pool.acquire('job b')]);
    expect([a.identity, b.identity]).toEqual([{ mode: 'bwrap' }, { mode: 'bwrap' }]);
    expect(a.user).toBeUndefined();
    await a.release();
  });

  it('refuses a user range without a uid and gid or without ids', () => {
    expect(() => new SandboxUidPool({ mode: 'user', count: 1 }, recordingLogger())).toThrow(/uid and a gid/);
    expect(() => new SandboxUidPool({ mode: 'user', uid: BASE, gid: BASE, count: 0 }, recordingLogger())).toThrow(/at least one id/);
  });

  (isRoot ? describe : describe.skip)('in "user" mode (the tests run as root)', () => {
    it('gives each job a uid and gid of its own', async () => {
      const pool = new SandboxUidPool({ mode: 'user', uid: BASE, gid: BASE + 5, count: 3 }, recordingLogger());
      const leases = await Promise.all(['a', 'b', 'c'].map((job) => pool.acquire(job)));
      expect(leases.map((l) => l.identity)).toEqual([
        { mode: 'user', uid: BASE, gid: BASE + 5 },
        { mode: 'user', uid: BASE + 1, gid: BASE + 6 },
        { mode: 'user', uid: BASE + 2, gid: BASE + 7 },
      ]);
      expect(leases.map((l) => l.user)).toEqual(leases.map((l) => ({ uid: l.identity.uid, gid: l.identity.gid })));
      await Promise.all(leases.map((l) => l.release()));
    });

    it('makes a job wait while every identity is taken, says so once, and hands it the first one released', async () => {
      const logger = recordingLogger();
      const pool = new SandboxUidPool({ mode: 'user', uid: BASE, gid: BASE, count: 1 }, logger);
      const first = await pool.acquire('fix job 1');
      let secondGot: number | undefined;
      const second = pool.acquire('fix job 2').then((lease) => {
        secondGot = lease.identity.uid;
        return lease;
      });
      await new Promise((r) => setImmediate(r));
      expect(secondGot).toBeUndefined();
      expect(logger.lines).toEqual(['log fix job 2 waits for a sandbox identity: all 1 (SANDBOX_ID_COUNT) are in use by other jobs']);

      await first.release();
      await first.release();
      expect((await second).identity.uid).toBe(BASE);
      await (await second).release();
      // Released twice, handed out once: the next job gets it without waiting.
      expect((await pool.acquire('fix job 3')).identity.uid).toBe(BASE);
      expect(logger.lines).toHaveLength(1);
    });

    it('releases the identity of a job that failed, and stops a job waiting when it is aborted', async () => {
      const pool = new SandboxUidPool({ mode: 'user', uid: BASE, gid: BASE, count: 1 }, recordingLogger());
      const lease = await pool.acquire('failing job');
      const stop = new AbortController();
      const waiting = pool.acquire('stopped job', stop.signal);
      stop.abort(new Error('shutting down'));
      await expect(waiting).rejects.toThrow('shutting down');

      const failing = async () => {
        try {
          throw new Error('tests crashed');
        } finally {
          await lease.release();
        }
      };
      await expect(failing()).rejects.toThrow('tests crashed');
      // The aborted waiter took nothing: the next job gets the identity.
      expect((await pool.acquire('next job')).identity.uid).toBe(BASE);
    });

    it('kills what a job left running as its uid before the identity serves the next job', async () => {
      const pool = new SandboxUidPool({ mode: 'user', uid: BASE + 3, gid: BASE + 3, count: 1 }, recordingLogger());
      const lease = await pool.acquire('job that leaves a daemon');
      const leftover = sleepAs(BASE + 3, BASE + 3);
      expect(await processesOfUid(BASE + 3)).toEqual([leftover.pid]);

      const next = pool.acquire('next job');
      await lease.release();
      expect(await leftover.exited).toBe('SIGKILL');
      await next;
      expect(await processesOfUid(BASE + 3)).toEqual([]);
    });

    it('kills processes of its uids left by an earlier run of the service before the first job, and at shutdown', async () => {
      const logger = recordingLogger();
      const pool = new SandboxUidPool({ mode: 'user', uid: BASE + 4, gid: BASE + 4, count: 2 }, logger);
      const fromEarlierRun = sleepAs(BASE + 5, BASE + 5);
      await pool.onModuleInit();
      expect(await fromEarlierRun.exited).toBe('SIGKILL');
      expect(logger.lines).toEqual([`warn killed 1 process(es) left running as sandbox uid ${BASE + 5}`]);

      await pool.acquire('job stopped by the shutdown');
      await pool.acquire('job stopped by the shutdown too');
      const refused = expect(pool.acquire('job that has not started yet')).rejects.toThrow('the service is shutting down');
      const running = sleepAs(BASE + 4, BASE + 4);
      await pool.onApplicationShutdown();
      expect(await running.exited).toBe('SIGKILL');
      await refused;
      await expect(pool.acquire('job after the shutdown')).rejects.toThrow('the service is shutting down');
    });

    it('leaves processes of other uids alone', async () => {
      const pool = new SandboxUidPool({ mode: 'user', uid: BASE + 6, gid: BASE + 6, count: 1 }, recordingLogger());
      const other = sleepAs(BASE + 7, BASE + 7);
      try {
        await (await pool.acquire('job')).release();
        expect(await processesOfUid(BASE + 7)).toEqual([other.pid]);
      } finally {
        process.kill(other.pid, 'SIGKILL');
        await other.exited;
      }
    });
  });
});
