import { INestApplication } from '@nestjs/common';
import { MonitorScheduler } from '@epitrace/monitor-scheduling';
import { waitFor } from '@epitrace/testing';
import { CheckService } from '../src/checks/check.service';
import { PipelineFixture, Target, respondWith, startTarget, startWorker } from './support/worker-harness';

describe('two monitor-worker replicas on one queue', () => {
  const fx = new PipelineFixture();
  let target: Target;
  let workers: INestApplication[] = [];

  beforeAll(async () => {
    await fx.setUp('sharedload');
    target = await startTarget();
    target.handler = respondWith(200);
    workers = [
      await startWorker({ databaseUrl: fx.db.url, queuePrefix: fx.prefix }),
      await startWorker({ databaseUrl: fx.db.url, queuePrefix: fx.prefix }),
    ];
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await target?.close();
    await fx.tearDown();
  });

  it('share the scheduled checks and never run one twice', async () => {
    const runs = workers.map((w) => jest.spyOn(w.get(CheckService), 'run'));
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await fx.createMonitor({ url: `${target.url}/m/${i}`, check_interval: 1 }));
    const scheduler = workers[0].get(MonitorScheduler);
    await Promise.all(ids.map((id) => scheduler.schedule({ id, checkInterval: 1 })));

    await waitFor(async () => (await fx.pg.query(`SELECT count(*)::int AS n FROM monitor_checks`)).rows[0].n >= 120, {
      what: '120 check rows',
      timeoutMs: 30_000,
    });
    await Promise.all(ids.map((id) => scheduler.unschedule(id)));
    // Let the checks already started finish and be stored.
    await waitFor(
      async () => {
        const before = target.hits;
        await new Promise((r) => setTimeout(r, 1500));
        const { rows } = await fx.pg.query(`SELECT count(*)::int AS n FROM monitor_checks`);
        return target.hits === before && rows[0].n === target.hits;
      },
      { what: 'every request served to have its row', timeoutMs: 30_000 },
    );

    const { rows: dup } = await fx.pg.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM monitor_checks GROUP BY monitor_id, scheduled_at HAVING count(*) > 1) d`);
    expect(dup[0].n).toBe(0);
    const [a, b] = runs.map((r) => r.mock.calls.length);
    expect(a + b).toBe(target.hits);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });
});
