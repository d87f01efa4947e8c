import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monitoring pipeline: hourly rollups of checks (stats survive raw-check retention), a time index
 * for rollup/retention scans, and markers proving an incident's events reached the queue (a sweep
 * re-enqueues the ones a crash between commit and enqueue left behind).
 */
export class CheckRollupsAndEventMarkers1764300000000 implements MigrationInterface {
  name = 'CheckRollupsAndEventMarkers1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE monitor_check_rollups (
        monitor_id uuid NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        bucket_start timestamptz NOT NULL,
        checks integer NOT NULL,
        up_checks integer NOT NULL,
        response_time_count integer NOT NULL,
        response_time_sum bigint NOT NULL,
        response_time_histogram jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (monitor_id, bucket_start)
      )`);
    await q.query(`CREATE INDEX idx_monitor_check_rollups_bucket ON monitor_check_rollups (bucket_start)`);
    await q.query(`CREATE INDEX idx_monitor_checks_checked_at ON monitor_checks (checked_at)`);
    await q.query(`ALTER TABLE incidents ADD COLUMN down_event_enqueued_at timestamptz`);
    await q.query(`ALTER TABLE incidents ADD COLUMN recovery_event_enqueued_at timestamptz`);
    // Incidents that existed before this migration were alerted by the old code path.
    await q.query(`UPDATE incidents SET down_event_enqueued_at = now(),
      recovery_event_enqueued_at = CASE WHEN state = 'resolved' THEN now() END`);
    await q.query(`
      CREATE INDEX idx_incidents_events_pending ON incidents (id)
      WHERE down_event_enqueued_at IS NULL OR (state = 'resolved' AND recovery_event_enqueued_at IS NULL)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_incidents_events_pending`);
    await q.query(`ALTER TABLE incidents DROP COLUMN IF EXISTS recovery_event_enqueued_at`);
    await q.query(`ALTER TABLE incidents DROP COLUMN IF EXISTS down_event_enqueued_at`);
    await q.query(`DROP INDEX IF EXISTS idx_monitor_checks_checked_at`);
    await q.query(`DROP TABLE IF EXISTS monitor_check_rollups`);
  }
}
