import { getFreePort, waitFor } from '@epitrace/testing';
import { RunningApp, startApp } from '../test/support/app-processes';
import { ChaosWorld, report } from './support/chaos-world';

const INTERVAL_S = 2;
const MONITORS = 30;
const FAILING = 10;

describe('monitoring under faults (private Postgres and Redis)', () => {
  const world = new ChaosWorld();
  let monitorIds: string[] = [];
  let failingIds: string[] = [];
  const running: RunningApp[] = [];

  const startWorker = async (extra: Record<string, string> = {}) => {
    const app = await startApp('monitor-worker', await getFreePort(), world.env({ SCHEDULE_RECONCILE_INTERVAL_MS: '30000', ...extra }));
    running.push(app);
    return app;
  };

  /** Resolves once every monitor has a check newer than `since`; returns the slowest monitor's delay. */
  const everyMonitorCheckedAfter = async (since: Date, timeoutMs: number) => {
    await waitFor(async () => {
      const last = await world.lastChecks();
      return monitorIds.every((id) => (last.get(id)?.getTime() ?? 0) > since.getTime());
    }, { timeoutMs, intervalMs: 200, what: 'every monitor to be checked again' });
    const rows = await world.sql<{ monitor_id: string; first: Date }>(
      'SELECT monitor_id, min(checked_at) AS first FROM monitor_checks WHERE checked_at > $1 GROUP BY monitor_id',
      [since],
    );
    return Math.max(...rows.map((r) => new Date(r.first).getTime() - since.getTime()));
  };

  const openIncidentsPerMonitor = async () =>
    world.sql<{ monitor_id: string; open: string; total: string }>(
      `SELECT monitor_id, count(*) FILTER (WHERE state = 'open') AS open, count(*) AS total FROM incidents GROUP BY monitor_id`,
    );

  const duplicateCheckRows = async () =>
    Number(
      (
        await world.sql<{ n: string }>(
          'SELECT count(*) AS n FROM (SELECT monitor_id, scheduled_at FROM monitor_checks WHERE scheduled_at IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d',
        )
      )[0].n,
    );

  beforeAll(async () => {
    await world.start();
    monitorIds = await world.createMonitors(MONITORS, INTERVAL_S);
    failingIds = monitorIds.slice(0, FAILING);
    for (const id of failingIds) world.target.failing.add(id);
  });

  afterAll(async () => {
    await Promise.all(running.map((a) => a.stop('SIGKILL')));
    await world.stop();
  });

  it('kill -9 of a monitor-worker: every monitor is checked again within two intervals of the restart, nothing doubled', async () => {
    const first = await startWorker();
    await everyMonitorCheckedAfter(new Date(0), 30_000);
    await waitFor(async () => (await openIncidentsPerMonitor()).filter((r) => Number(r.open) === 1).length === FAILING, {
      timeoutMs: 30_000,
      what: 'an open incident for each failing monitor',
    });

    const killedAt = new Date();
    first.process.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 3_000));
    const second = await startWorker();
    const restartedAt = new Date();
    const slowest = await everyMonitorCheckedAfter(restartedAt, 2 * INTERVAL_S * 1000 + 5_000);
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000));

    const incidents = await openIncidentsPerMonitor();
    const gapRows = await world.sql<{ gap: number }>(
      `SELECT extract(epoch FROM max(checked_at) FILTER (WHERE checked_at > $2) - max(checked_at) FILTER (WHERE checked_at < $1)) AS gap
         FROM monitor_checks GROUP BY monitor_id`,
      [killedAt, restartedAt],
    );
    const worstGap = Math.max(...gapRows.map((r) => Number(r.gap)));
    report('kill -9 monitor-worker, restart after 3 s', {
      monitors: MONITORS,
      'slowest monitor checked again after restart (ms)': slowest,
      'worst gap between checks across the kill (s)': worstGap.toFixed(1),
      'checks missed per monitor (approx.)': Math.max(0, Math.round(worstGap / INTERVAL_S) - 1),
      'incidents per failing monitor': [...new Set(incidents.map((r) => r.total))].join(','),
      'duplicate check rows': await duplicateCheckRows(),
    });
    expect(second.process.exitCode).toBeNull();
    expect(incidents).toHaveLength(FAILING);
    for (const row of incidents) expect(row).toMatchObject({ open: '1', total: '1' });
    expect(await duplicateCheckRows()).toBe(0);
  });

  it('Redis restarted with its data wiped: schedules are rebuilt from Postgres and checks resume within a minute', async () => {
    const wipedAt = new Date();
    await world.redis.restartEmpty();
    const slowest = await everyMonitorCheckedAfter(wipedAt, 60_000);
    const incidents = await openIncidentsPerMonitor();
    report('Redis restarted empty (FLUSHALL equivalent)', {
      'slowest monitor checked again after the wipe (ms)': slowest,
      'incidents per failing monitor': [...new Set(incidents.map((r) => r.total))].join(','),
      'duplicate check rows': await duplicateCheckRows(),
      'manual steps': 0,
    });
    expect(slowest).toBeLessThanOrEqual(60_000);
    for (const row of incidents) expect(row).toMatchObject({ open: '1', total: '1' });
  });

  it('Postgres stopped for 20 s: the API answers 503, workers stay up and recover when it returns', async () => {
    const api = await startApp('api', await getFreePort(), world.env());
    running.push(api);
    const workers = running.filter((a) => a.name === 'monitor-worker' && a.process.exitCode === null);
    const health = async () => (await fetch(`http://127.0.0.1:${api.port}/health`)).status;
    expect(await health()).toBe(200);

    await world.dropConnection();
    await world.pg.stop();
    const stoppedAt = Date.now();
    await waitFor(async () => (await health()) === 503, { timeoutMs: 10_000, what: '/health to say 503' });
    const login = await fetch(`http://127.0.0.1:${api.port}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.com', password: 'long-enough-password' }),
    });
    const loginBody = (await login.json()) as { error?: string };
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - stoppedAt))));
    const aliveDuringOutage = workers.every((w) => w.process.exitCode === null) && api.process.exitCode === null;

    await world.pg.start();
    const restartedAt = new Date();
    await waitFor(async () => (await health()) === 200, { timeoutMs: 30_000, what: '/health to recover' });
    const healthyAfterMs = Date.now() - restartedAt.getTime();
    const slowest = await everyMonitorCheckedAfter(restartedAt, 60_000);
    report('Postgres stopped for 20 s', {
      '/health during outage': 503,
      'POST /auth/login during outage': `${login.status} ${JSON.stringify(loginBody)}`,
      'processes alive throughout': aliveDuringOutage,
      '/health 200 again after (ms)': healthyAfterMs,
      'slowest monitor checked again after Postgres returned (ms)': slowest,
      'duplicate check rows': await duplicateCheckRows(),
    });
    expect(login.status).toBe(503);
    expect(loginBody.error).toEqual(expect.any(String));
    expect(aliveDuringOutage).toBe(true);
    expect(workers.every((w) => w.process.exitCode === null)).toBe(true);
    expect(await duplicateCheckRows()).toBe(0);
  });
});
