import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { MonitorStatus } from './monitor.entity';

/**
 * One executed check. Written in batches by the monitor-worker. `scheduledAt` is the
 * intended start of the scheduled run, unique per monitor, so a job that is run again after a
 * worker crash cannot store a second row for the same run.
 */
@Entity('monitor_checks')
@Index('idx_monitor_checks_monitor_time', ['monitorId', 'checkedAt'])
export class MonitorCheck {
  /** bigint: Postgres returns it as a string, which is what the API serialises. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'uuid' })
  monitorId: string;

  @Column({ type: 'varchar', length: 4 })
  status: MonitorStatus;

  @Column({ type: 'integer', nullable: true })
  responseTimeMs: number | null;

  @Column({ type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  errorMessage: string | null;

  @Column({ type: 'timestamptz' })
  checkedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  scheduledAt: Date | null;
}
