import { INestApplication } from '@nestjs/common';
import { CheckRetentionService } from '../src/maintenance/check-retention.service';
import { PipelineFixture, startWorker } from './support/worker-harness';

describe('check rollups and retention', () => {
  const fx = new PipelineFixture();
  let worker: INestApplication;

  beforeAll(async () => {
    await fx.setUp('retention');
    worker = await startWorker({ databaseUrl: fx.db.url, queuePrefix: fx.prefix, extra: { CHECK_RETENTION_DAYS: '2' } });
  });
  afterAll(async () => {
    await worker?.close();
    await fx.tearDown();
  });

  it('rolls completed hours up and deletes raw checks past retention while the hourly stats stay', async () => {
    const id = await fx.createMonitor({ url: 'http://127.0.0.1:1', is_active: false });
    const now = new Date('2026-03-10T12:30:00Z');
    const old = '2026-03-05T08:00:00Z'; // 5 days before: past the 2-day retention
    const recent = '2026-03-10T11:00:00Z'; // the last completed hour
    const current = '2026-03-10T12:10:00Z'; // the hour in progress: not rolled up yet
    const insert = (hour: string, minute: number, status: string, ms: number | null) =>
      fx.pg.query(
        `INSERT INTO monitor_checks (monitor_id, status, response_time_ms, checked_at, scheduled_at)
         VALUES ($1, $2, $3, $4::timestamptz + make_interval(mins => $5), $4::timestamptz + make_interval(mins => $5))`,
        [id, status, ms, hour, minute],
      );
    await insert(old, 0, 'UP', 40);
    await insert(old, 10, 'UP', 60);
    await insert(old, 20, 'DOWN', null);
    await insert(recent, 5, 'UP', 120);
    await insert(current, 0, 'UP', 80);

    const report = await worker.get(CheckRetentionService).run(now);
    expect(report?.checksDeleted).toBe(3);

    const { rows: rollups } = await fx.pg.query(
      `SELECT bucket_start, checks, up_checks, response_time_count, response_time_sum, response_time_histogram
         FROM monitor_check_rollups WHERE monitor_id = $1 ORDER BY bucket_start`,
      [id],
    );
    expect(rollups.map((r) => [new Date(r.bucket_start).toISOString(), r.checks, r.up_checks, r.response_time_count, Number(r.response_time_sum)])).toEqual([
      ['2026-03-05T08:00:00.000Z', 3, 2, 2, 100],
      ['2026-03-10T11:00:00.000Z', 1, 1, 1, 120],
    ]);
    expect(rollups[0].response_time_histogram).toEqual({ '4': 1, '5': 1 }); // 40 ms in [30,50), 60 ms in [50,75)
    const remaining = await fx.checks(id);
    expect(remaining.map((c) => new Date(c.scheduled_at).toISOString())).toEqual(['2026-03-10T11:05:00.000Z', '2026-03-10T12:10:00.000Z']);

    expect(await worker.get(CheckRetentionService).run(now)).toEqual({ hoursRolledUp: 1, checksDeleted: 0, rollupsDeleted: 0 });
  });
});
