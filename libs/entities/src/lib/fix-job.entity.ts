import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const FIX_JOB_STATUSES = [
  'queued',
  'cloning',
  'baseline-tests',
  'fixing',
  'testing',
  'pushing',
  'opening-pr',
  'done',
  'failed',
  'no-change',
] as const;
export type FixJobStatus = (typeof FIX_JOB_STATUSES)[number];
/** Statuses after which a job never changes again; a new attempt is a new row. */
export const FIX_JOB_FINAL_STATUSES: readonly FixJobStatus[] = ['done', 'failed', 'no-change'];

export type TestOutcome = 'passed' | 'failed' | 'timed_out' | 'not-run' | 'no-tests';

/**
 * One auto-fix attempt for an incident. At most one attempt per incident may be live or done
 * (partial unique index): clicking the link twice shows the same job; only a failed or
 * no-change attempt can be followed by another.
 */
@Entity('fix_jobs')
@Index('uq_fix_jobs_one_live_per_incident', ['incidentId'], {
  unique: true,
  where: `"status" NOT IN ('failed', 'no-change')`,
})
@Index('idx_fix_jobs_user_created', ['userId', 'createdAt'])
@Index('idx_fix_jobs_status_heartbeat', ['status', 'heartbeatAt'])
export class FixJob {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  incidentId: string;

  @Column({ type: 'uuid' })
  monitorId: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  status: FixJobStatus;

  /** When each status was entered: `{ "cloning": "2026-…Z", … }`. */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  stepTimestamps: Partial<Record<FixJobStatus, string>>;

  @Column({ type: 'varchar', length: 255, nullable: true })
  branch: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  prUrl: string | null;

  @Column({ type: 'integer', nullable: true })
  prNumber: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  testCommand: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  baselineTestOutcome: TestOutcome | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  afterTestOutcome: TestOutcome | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  error: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
