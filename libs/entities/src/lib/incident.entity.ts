import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type IncidentState = 'open' | 'resolved';
export type AnalysisStatus = 'pending' | 'running' | 'completed' | 'failed' | 'timed_out' | 'skipped';

/** Cline's structured root-cause analysis, as stored on the incident. */
export interface IncidentAnalysis {
  summary: string;
  root_cause: string;
  evidence: string[];
  suspected_files: string[];
  proposed_fix: string;
  confidence: 'low' | 'medium' | 'high' | string;
  /** The model's raw answer when it could not be parsed into the fields above. */
  raw?: string;
}

/**
 * One outage of one monitor. At most one open incident per monitor is enforced by a partial
 * unique index, so two monitor-worker replicas confirming the same outage cannot open two.
 */
@Entity('incidents')
@Index('uq_incidents_one_open_per_monitor', ['monitorId'], { unique: true, where: `"state" = 'open'` })
@Index('idx_incidents_monitor_state', ['monitorId', 'state'])
@Index('idx_incidents_monitor_opened', ['monitorId', 'openedAt'])
@Index('idx_incidents_user_opened', ['userId', 'openedAt'])
export class Incident {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  monitorId: string;

  /** Denormalised owner, so every API query can be scoped without a join. */
  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  state: IncidentState;

  @Column({ type: 'timestamptz' })
  openedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  /** The error of the check that confirmed the outage. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  cause: string | null;

  @Column({ type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  analysisStatus: AnalysisStatus;

  @Column({ type: 'jsonb', nullable: true })
  analysis: IncidentAnalysis | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  analysisError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  analysisCompletedAt: Date | null;

  /** Set once the `monitor-down` job is in the queue; a sweep re-enqueues incidents left without it. */
  @Column({ type: 'timestamptz', nullable: true })
  downEventEnqueuedAt: Date | null;

  /** Set once the `monitor-recovered` job is in the queue (resolved incidents only). */
  @Column({ type: 'timestamptz', nullable: true })
  recoveryEventEnqueuedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
