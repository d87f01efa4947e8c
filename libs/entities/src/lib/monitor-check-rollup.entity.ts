import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Lower bounds (ms) of the response-time histogram buckets kept per rollup. Percentiles over any
 * window are read from merged histograms, so they are exact to the bucket (interpolated within).
 * Never reorder: stored histograms are keyed by bucket number (1-based, Postgres width_bucket).
 */
export const RESPONSE_TIME_BUCKETS_MS = [
  0, 10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000,
  60000,
] as const;

/** One monitor's checks in one UTC hour, so stats survive the pruning of raw checks. */
@Entity('monitor_check_rollups')
@Index('idx_monitor_check_rollups_bucket', ['bucketStart'])
export class MonitorCheckRollup {
  @PrimaryColumn({ type: 'uuid' })
  monitorId: string;

  @PrimaryColumn({ type: 'timestamptz' })
  bucketStart: Date;

  @Column({ type: 'integer' })
  checks: number;

  @Column({ type: 'integer' })
  upChecks: number;

  @Column({ type: 'integer' })
  responseTimeCount: number;

  /** bigint: returned by Postgres as a string. */
  @Column({ type: 'bigint' })
  responseTimeSum: string;

  /** Bucket number (see RESPONSE_TIME_BUCKETS_MS) → count. */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  responseTimeHistogram: Record<string, number>;
}
