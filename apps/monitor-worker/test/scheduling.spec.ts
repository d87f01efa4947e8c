import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { MonitorScheduler } from '@epitrace/monitor-scheduling';
import { JOBS, QUEUES, jobIds } from '@epitrace/queue-contracts';
import { PrivateRedis, startPrivateRedis, waitFor } from '@epitrace/testing';
import { ScheduleSyncService } from '../src/scheduling/schedule-sync.service';
import { PipelineFixture, Target, respondWith, startTarget, startWorker } from './support/worker-harness';

/** The real BullMQ job schedulers, worker and reconciler against the real Redis and Postgres. */
describe('check scheduling and reconciliation', () => {
  const fx = new PipelineFixture();
  let target: Target;

  beforeAll(async () => {
    await fx.setUp('scheduling');
    target = await startTarget();
    target.handler = respondWith(200);
  });

  afterAll(async () => {
    await target?.close();
    await fx.tearDown();
  });

  describe('on the shared Redis', () => {
    let worker: INestApplication;
    beforeAll(async () => (worker = await startWorker({ databaseUrl: fx.db.url, queuePrefix: fx.prefix })));
    afterAll(async () => worker?.close());

    it('runs the first check of a newly scheduled monitor at once, stamped with its intended start', async () => {
      const id = await fx.createMonitor({ url: target.url, check_interval: 3600 });
      const before = Date.now();
      await worker.get(MonitorScheduler).schedule({ id, checkInterval: 3600 });
      const [row] = await waitFor(async () => {
        const rows = await fx.checks(id);
        return rows.length ? rows : null;
      }, { what: 'first check row' });
      expect(row.status).toBe('UP');
      expect(new Date(row.scheduled_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect((await fx.monitor(id)).last_checked_at).not.toBeNull();
    });

    it('a changed interval replaces the schedule and checks at once with the new cadence', async () => {
      const id = await fx.createMonitor({ url: target.url, check_interval: 3600 });
      const scheduler = worker.get(MonitorScheduler);
      await scheduler.schedule({ id, checkInterval: 3600 });
      await waitFor(async () => (await fx.checks(id)).length === 1, { what: 'first check' });

      await fx.pg.query(`UPDATE monitors SET check_interval = 1 WHERE id = $1`, [id]);
      await scheduler.schedule({ id, checkInterval: 1 });
      expect((await scheduler.scheduledMonitorIds()).get(id)).toBe(1000);
      await waitFor(async () => (await fx.checks(id)).length >= 3, { what: 'checks at the new interval', timeoutMs: 15_000 });
      await scheduler.unschedule(id);
    });

    it('removes the schedule of a monitor paused behind its back, and schedules an active one that has none', async () => {
      const scheduler = worker.get(MonitorScheduler);
      const paused = await fx.createMonitor({ url: target.url, is_active: false });
      await scheduler.schedule({ id: paused, checkInterval: 3600 });
      const active = await fx.createMonitor({ url: target.url, check_interval: 3600 });
      const wrong = await fx.createMonitor({ url: target.url, check_interval: 120 });
      await scheduler.schedule({ id: wrong, checkInterval: 60 });

      const report = await worker.get(ScheduleSyncService).syncNow();
      expect(report).toMatchObject({ added: expect.any(Number), removed: expect.any(Number), rescheduled: 1 });
      const scheduled = await scheduler.scheduledMonitorIds();
      expect(scheduled.has(paused)).toBe(false);
      expect(scheduled.get(active)).toBe(3600_000);
      expect(scheduled.get(wrong)).toBe(120_000);
    });

    it('re-enqueues the alert of an incident whose enqueue never happened (crash between commit and enqueue)', async () => {
      const id = await fx.createMonitor({ url: target.url, is_active: false });
      const { rows } = await fx.pg.query(
        `INSERT INTO incidents (monitor_id, user_id, opened_at, cause) VALUES ($1, $2, now() - interval '1 minute', 'boom') RETURNING id`,
        [id, fx.userId],
      );
      await worker.get(ScheduleSyncService).syncNow();
      const job = await fx.queue(QUEUES.DOWN_MONITORS).getJob(jobIds.monitorDown(rows[0].id));
      expect(job?.name).toBe(JOBS.MONITOR_DOWN);
      expect((await fx.incidents(id))[0].down_event_enqueued_at).not.toBeNull();
    });
  });

  describe('when Redis loses all its data', () => {
    let redis: PrivateRedis;
    let worker: INestApplication;

    beforeAll(async () => {
      redis = await startPrivateRedis();
      worker = await startWorker({
        databaseUrl: fx.db.url,
        redisUrl: redis.url,
        queuePrefix: fx.prefix,
        extra: { SCHEDULE_RECONCILE_INTERVAL_MS: '1000' },
      });
    });
    afterAll(async () => {
      await worker?.close();
      await redis?.stop();
    });

    it('rebuilds every schedule from Postgres by itself and keeps checking (FLUSHALL on a private redis-server)', async () => {
      const id = await fx.createMonitor({ url: target.url, check_interval: 2 });
      const scheduler = worker.get(MonitorScheduler);
      await waitFor(async () => (await scheduler.scheduledMonitorIds()).has(id), { what: 'reconciled schedule' });
      await waitFor(async () => (await fx.checks(id)).length >= 1, { what: 'a first check' });

      const client = new Redis(redis.url);
      await client.flushall();
      client.disconnect();
      const flushedAt = Date.now();
      expect((await scheduler.scheduledMonitorIds()).has(id)).toBe(false);

      await waitFor(async () => (await scheduler.scheduledMonitorIds()).get(id) === 2000, { what: 'schedule healed', timeoutMs: 20_000 });
      await waitFor(async () => (await fx.checks(id)).some((c) => new Date(c.scheduled_at).getTime() > flushedAt), {
        what: 'a check after the flush',
        timeoutMs: 20_000,
      });
    });
  });
});
