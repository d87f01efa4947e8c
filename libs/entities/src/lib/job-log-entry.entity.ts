import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A line of a fix job's live log. The identity id is the SSE event id: it only grows, so a
 * client resuming with Last-Event-ID gets exactly the lines after the last one it saw.
 */
@Entity('job_log_entries')
@Index('idx_job_log_entries_job', ['jobId', 'id'])
@Index('idx_job_log_entries_ts', ['ts'])
export class JobLogEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** The fix job the line belongs to (null for lines not tied to a job; those are never streamed). */
  @Column({ type: 'uuid', nullable: true })
  jobId: string | null;

  /** Owner of the job, resolved at ingest, so streams filter without a join. */
  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  ts: Date;

  @Column({ type: 'varchar', length: 16, default: 'info' })
  level: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  stage: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  category: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  repo: string | null;

  @Column({ type: 'text' })
  message: string;
}
