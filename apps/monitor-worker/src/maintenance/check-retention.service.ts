import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RESPONSE_TIME_BUCKETS_MS } from '@epitrace/entities';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { MonitorWorkerConfig } from '../config/monitor-worker.config';

/** Only one replica rolls up and prunes at a time (the work is idempotent, just not free). */
const MAINTENANCE_LOCK_ID = 7_264_803_301;
const DELETE_CHUNK = 10_000;
const HOUR_MS = 3_600_000;

export interface MaintenanceReport {
  hoursRolledUp: number;
  checksDeleted: number;
  rollupsDeleted: number;
}

/**
 * Hourly: rolls completed hours of raw checks up into monitor_check_rollups (counts and a
 * response-time histogram per monitor and hour), then deletes raw checks older than
 * CHECK_RETENTION_DAYS — never ones not rolled up yet — and rollups older than ROLLUP_RETENTION_DAYS.
 */
@Injectable()
export class CheckRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CheckRetentionService.name);
  private catchUp: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: MonitorWorkerConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    // Catch up on hours missed while no worker was running.
    this.catchUp = setTimeout(() => void this.runScheduled(), 10_000).unref();
  }

  onApplicationShutdown(): void {
    if (this.catchUp) clearTimeout(this.catchUp);
  }

  // Two minutes past the hour: checks of the hour just ended have been written by then.
  @Cron('0 2 * * * *')
  async runScheduled(): Promise<void> {
    try {
      const report = await this.run();
      if (report) this.logger.log(`check maintenance: ${JSON.stringify(report)}`);
    } catch (err) {
      this.logger.error(`check maintenance failed: ${(err as Error).message}`);
    }
  }

  /** Null when another replica holds the maintenance lock. */
  async run(now = new Date()): Promise<MaintenanceReport | null> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [MAINTENANCE_LOCK_ID]);
      if (!locked) return null;
      try {
        const hoursRolledUp = await this.rollUp(now);
        const checksDeleted = await this.pruneChecks(now);
        const rollupsDeleted = await this.deleteInChunks(
          `DELETE FROM monitor_check_rollups WHERE ctid = ANY(ARRAY(SELECT ctid FROM monitor_check_rollups WHERE bucket_start < $1 LIMIT ${DELETE_CHUNK}))`,
          new Date(now.getTime() - this.config.ROLLUP_RETENTION_DAYS * 24 * HOUR_MS),
        );
        return { hoursRolledUp, checksDeleted, rollupsDeleted };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1)`, [MAINTENANCE_LOCK_ID]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Rolls every completed hour since the last rolled one (re-rolling that one: late rows). */
  private async rollUp(now: Date): Promise<number> {
    const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    const [{ last, first }] = await this.db.query(
      `SELECT (SELECT max(bucket_start) FROM monitor_check_rollups) AS last,
              (SELECT min(checked_at) FROM monitor_checks) AS first`,
    );
    const startFrom = last ? new Date(last).getTime() : first ? Math.floor(new Date(first).getTime() / HOUR_MS) * HOUR_MS : currentHour;
    let hours = 0;
    for (let hour = startFrom; hour < currentHour; hour += HOUR_MS) {
      await this.rollUpHour(new Date(hour), new Date(hour + HOUR_MS));
      hours++;
    }
    return hours;
  }

  private async rollUpHour(from: Date, to: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO monitor_check_rollups
         (monitor_id, bucket_start, checks, up_checks, response_time_count, response_time_sum, response_time_histogram)
       SELECT t.monitor_id, $1, t.checks, t.up_checks, t.rt_count, t.rt_sum, coalesce(h.histogram, '{}'::jsonb)
         FROM (SELECT monitor_id, count(*) AS checks, count(*) FILTER (WHERE status = 'UP') AS up_checks,
                      count(response_time_ms) AS rt_count, coalesce(sum(response_time_ms), 0) AS rt_sum
                 FROM monitor_checks WHERE checked_at >= $1 AND checked_at < $2 GROUP BY monitor_id) t
         LEFT JOIN (SELECT monitor_id, jsonb_object_agg(bucket, n) AS histogram
                      FROM (SELECT monitor_id, width_bucket(response_time_ms, $3::int[]) AS bucket, count(*) AS n
                              FROM monitor_checks
                             WHERE checked_at >= $1 AND checked_at < $2 AND response_time_ms IS NOT NULL
                             GROUP BY 1, 2) b
                     GROUP BY monitor_id) h USING (monitor_id)
       ON CONFLICT (monitor_id, bucket_start) DO UPDATE SET
         checks = excluded.checks, up_checks = excluded.up_checks, response_time_count = excluded.response_time_count,
         response_time_sum = excluded.response_time_sum, response_time_histogram = excluded.response_time_histogram`,
      [from.toISOString(), to.toISOString(), [...RESPONSE_TIME_BUCKETS_MS]],
    );
  }

  private async pruneChecks(now: Date): Promise<number> {
    const [{ last }] = await this.db.query(`SELECT max(bucket_start) AS last FROM monitor_check_rollups`);
    const retentionCutoff = now.getTime() - this.config.CHECK_RETENTION_DAYS * 24 * HOUR_MS;
    // Rows of an hour not rolled up yet stay, whatever their age.
    const rolledUpTo = last ? new Date(last).getTime() + HOUR_MS : 0;
    const cutoff = Math.min(retentionCutoff, rolledUpTo);
    if (cutoff <= 0) return 0;
    return this.deleteInChunks(
      `DELETE FROM monitor_checks WHERE id = ANY(ARRAY(SELECT id FROM monitor_checks WHERE checked_at < $1 LIMIT ${DELETE_CHUNK}))`,
      new Date(cutoff),
    );
  }

  private async deleteInChunks(sql: string, before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const [, affected] = (await this.db.query(sql, [before.toISOString()])) as [unknown, number];
      total += affected ?? 0;
      if (!affected || affected < DELETE_CHUNK) return total;
    }
  }
}
