import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const MONITOR_STATUSES = ['UP', 'DOWN'] as const;
export type MonitorStatus = (typeof MONITOR_STATUSES)[number];

export type KeywordMode = 'present' | 'absent';

/** Inclusive range of HTTP status codes that count as healthy. */
export interface StatusRange {
  min: number;
  max: number;
}

export const DEFAULT_EXPECTED_STATUS: StatusRange[] = [{ min: 200, max: 399 }];

@Entity('monitors')
@Index('idx_monitors_user_created', ['userId', 'createdAt'])
@Index('idx_monitors_active', ['isActive'])
export class Monitor {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  repoLink: string | null;

  @Column({ type: 'varchar', length: 8, default: 'GET' })
  method: HttpMethod;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  requestHeader: Record<string, string>;

  @Column({ type: 'jsonb', nullable: true })
  requestBody: unknown;

  @Column({ type: 'boolean', default: false })
  isActive: boolean;

  /** Seconds between checks. */
  @Column({ type: 'integer' })
  checkInterval: number;

  /** Seconds: one total deadline for a check (connect, headers and body). */
  @Column({ type: 'integer' })
  timeout: number;

  @Column({ type: 'varchar', length: 4, nullable: true })
  status: MonitorStatus | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastCheckedAt: Date | null;

  @Column({ type: 'jsonb', default: () => `'[{"min":200,"max":399}]'::jsonb` })
  expectedStatusRanges: StatusRange[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  keyword: string | null;

  @Column({ type: 'varchar', length: 8, default: 'present' })
  keywordMode: KeywordMode;

  /** A response slower than this counts as a failure; null means no limit beyond the timeout. */
  @Column({ type: 'integer', nullable: true })
  maxResponseTimeMs: number | null;

  @Column({ type: 'boolean', default: true })
  followRedirects: boolean;

  /** Consecutive failed checks before the monitor is DOWN (an outage is confirmed). */
  @Column({ type: 'integer', default: 3 })
  failureThreshold: number;

  /** Consecutive successful checks before a DOWN monitor is UP again. */
  @Column({ type: 'integer', default: 2 })
  recoveryThreshold: number;

  @Column({ type: 'integer', default: 0 })
  consecutiveFailures: number;

  @Column({ type: 'integer', default: 0 })
  consecutiveSuccesses: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
