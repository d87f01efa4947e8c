import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JOBS, QUEUES, jobIds } from '@epitrace/queue-contracts';
import { CheckService } from '../src/checks/check.service';
import { PipelineFixture, Target, respondWith, startTarget, startWorker } from './support/worker-harness';

/**
 * Drives the real check path (HTTP target → undici → batched INSERT → conditional UPDATE →
 * incident → down-monitors job) one scheduled run at a time, so thresholds are exact.
 */
describe('incidents from consecutive check results', () => {
  const fx = new PipelineFixture();
  let target: Target;
  let worker: INestApplication;
  let downQueue: Queue;
  let t0 = Date.UTC(2026, 0, 1);

  const run = (app: INestApplication, monitorId: string) => app.get(CheckService).run(monitorId, new Date((t0 += 1000)));
  const runTimes = async (n: number, monitorId: string) => {
    for (let i = 0; i < n; i++) await run(worker, monitorId);
  };

  beforeAll(async () => {
    await fx.setUp('incidents');
    target = await startTarget();
    worker = await startWorker({ databaseUrl: fx.db.url, queuePrefix: fx.prefix });
    downQueue = fx.queue(QUEUES.DOWN_MONITORS);
  });

  afterAll(async () => {
    await worker?.close();
    await target?.close();
    await fx.tearDown();
  });

  it('marks the monitor DOWN only after failure_threshold consecutive failures and opens one incident with one alert job', async () => {
    target.handler = respondWith(200);
    const id = await fx.createMonitor({ url: target.url, failure_threshold: 3, recovery_threshold: 2 });
    await run(worker, id);
    expect((await fx.monitor(id)).status).toBe('UP');

    target.handler = respondWith(503);
    await runTimes(2, id);
    expect((await fx.monitor(id)).status).toBe('UP');
    expect(await fx.incidents(id)).toHaveLength(0);

    await run(worker, id);
    expect((await fx.monitor(id)).status).toBe('DOWN');
    const [incident, ...more] = await fx.incidents(id);
    expect(more).toHaveLength(0);
    expect(incident.state).toBe('open');
    expect(incident.status_code).toBe(503);
    expect(incident.cause).toMatch(/unexpected status 503/);

    await runTimes(3, id); // still failing: the same outage, no new incident
    expect(await fx.incidents(id)).toHaveLength(1);

    const job = await downQueue.getJob(jobIds.monitorDown(incident.id));
    expect(job?.name).toBe(JOBS.MONITOR_DOWN);
    expect(job?.data).toEqual({ incidentId: incident.id, monitorId: id });
    expect((await fx.incidents(id))[0].down_event_enqueued_at).not.toBeNull();
    expect(await downQueue.getJobCountByTypes('waiting', 'delayed', 'active', 'completed')).toBe(1);
  });

  it('a single success during an outage does not resolve it (hysteresis); recovery_threshold successes do, with a recovery job', async () => {
    target.handler = respondWith(500);
    const id = await fx.createMonitor({ url: target.url, failure_threshold: 2, recovery_threshold: 3 });
    await runTimes(2, id);
    expect((await fx.monitor(id)).status).toBe('DOWN');

    target.handler = respondWith(200);
    await runTimes(2, id);
    target.handler = respondWith(500);
    await run(worker, id);
    target.handler = respondWith(200);
    await runTimes(2, id);
    expect((await fx.monitor(id)).status).toBe('DOWN');
    expect((await fx.incidents(id))[0].state).toBe('open');

    await run(worker, id);
    expect((await fx.monitor(id)).status).toBe('UP');
    const [incident] = await fx.incidents(id);
    expect(incident.state).toBe('resolved');
    const job = await downQueue.getJob(jobIds.monitorRecovered(incident.id));
    expect(job?.name).toBe(JOBS.MONITOR_RECOVERED);
    expect(incident.recovery_event_enqueued_at).not.toBeNull();
  });

  it('a second outage of the same monitor opens a new incident and alerts again', async () => {
    const id = await fx.createMonitor({ url: target.url, failure_threshold: 1, recovery_threshold: 1 });
    for (const status of [500, 200, 500]) {
      target.handler = respondWith(status);
      await run(worker, id);
    }
    const incidents = await fx.incidents(id);
    expect(incidents.map((i) => i.state)).toEqual(['resolved', 'open']);
    for (const incident of incidents) expect(await downQueue.getJob(jobIds.monitorDown(incident.id))).toBeDefined();
  });

  it('running the same scheduled check twice (a retry after a crash) stores one row and counts once', async () => {
    target.handler = respondWith(500);
    const id = await fx.createMonitor({ url: target.url, failure_threshold: 2 });
    const scheduledAt = new Date((t0 += 1000));
    await worker.get(CheckService).run(id, scheduledAt);
    await worker.get(CheckService).run(id, scheduledAt);
    expect(await fx.checks(id)).toHaveLength(1);
    expect((await fx.monitor(id)).consecutive_failures).toBe(1);
    expect(await fx.incidents(id)).toHaveLength(0);
  });

  it('two worker processes confirming the same outage at the same time open exactly one incident', async () => {
    const second = await startWorker({ databaseUrl: fx.db.url, queuePrefix: fx.prefix });
    try {
      target.handler = respondWith(502);
      const id = await fx.createMonitor({ url: target.url, failure_threshold: 3 });
      await Promise.all(Array.from({ length: 12 }, (_, i) => run(i % 2 ? worker : second, id)));
      expect(await fx.checks(id)).toHaveLength(12);
      const incidents = await fx.incidents(id);
      expect(incidents).toHaveLength(1);
      const downJobs = (await downQueue.getJobs(['waiting', 'delayed', 'active', 'completed'])).filter((j) => j.data.monitorId === id);
      expect(downJobs).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('skips the leftover job of a paused monitor without storing anything', async () => {
    const id = await fx.createMonitor({ url: target.url, is_active: false });
    expect(await run(worker, id)).toBe('skipped');
    expect(await fx.checks(id)).toHaveLength(0);
  });
});
