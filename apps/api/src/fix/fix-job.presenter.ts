import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FIX_JOB_STATUSES, FixJob, FixJobStatus, TestOutcome } from '@epitrace/entities';

const OUTCOMES: TestOutcome[] = ['passed', 'failed', 'timed_out', 'not-run', 'no-tests'];

/** A fix job as the API returns it (snake_case, like every other resource of the contract). */
export class FixJobResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) incident_id: string;
  @ApiProperty({ format: 'uuid' }) monitor_id: string;
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ enum: FIX_JOB_STATUSES, example: 'fixing' }) status: FixJobStatus;
  @ApiProperty({ description: 'When each step began', example: { queued: '2026-11-25T21:00:00.000Z', cloning: '2026-11-25T21:00:02.000Z' } })
  step_timestamps: Partial<Record<FixJobStatus, string>>;
  @ApiPropertyOptional({ nullable: true, example: 'epitrace/fix-3f1c2a4e' }) branch: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'https://github.com/acme/shop/pull/42' }) pr_url: string | null;
  @ApiPropertyOptional({ nullable: true, example: 42 }) pr_number: number | null;
  @ApiPropertyOptional({ nullable: true, example: 'npm test' }) test_command: string | null;
  @ApiPropertyOptional({ nullable: true, enum: OUTCOMES }) baseline_test_outcome: TestOutcome | null;
  @ApiPropertyOptional({ nullable: true, enum: OUTCOMES }) after_test_outcome: TestOutcome | null;
  @ApiPropertyOptional({ nullable: true }) error: string | null;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiPropertyOptional({ nullable: true }) heartbeat_at: string | null;
  @ApiPropertyOptional({ nullable: true }) started_at: string | null;
  @ApiPropertyOptional({ nullable: true }) finished_at: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

/** A fix job as `GET /fix-jobs` and `GET /fix-jobs/:id` return it: also names its monitor, for lists people read. */
export class ListedFixJobResponseDto extends FixJobResponseDto {
  @ApiProperty({
    nullable: true,
    example: 'Checkout API',
    description: 'Name of the monitor this job fixes (`monitor_id`; its incident is `incident_id`). Null only if the monitor was deleted while the jobs were read.',
  })
  monitor_name: string | null;
}

export class FixJobEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiPropertyOptional({ example: 'Auto-fix started' }) message?: string;
  @ApiProperty({ type: FixJobResponseDto }) data: FixJobResponseDto;
}

export class ListedFixJobEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ListedFixJobResponseDto }) data: ListedFixJobResponseDto;
}

export class FixJobListEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: [ListedFixJobResponseDto] }) data: ListedFixJobResponseDto[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentFixJob(job: FixJob): FixJobResponseDto {
  return {
    id: job.id,
    incident_id: job.incidentId,
    monitor_id: job.monitorId,
    user_id: job.userId,
    status: job.status,
    step_timestamps: job.stepTimestamps ?? {},
    branch: job.branch,
    pr_url: job.prUrl,
    pr_number: job.prNumber,
    test_command: job.testCommand,
    baseline_test_outcome: job.baselineTestOutcome,
    after_test_outcome: job.afterTestOutcome,
    error: job.error,
    attempts: job.attempts,
    heartbeat_at: iso(job.heartbeatAt),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
  };
}

export function presentListedFixJob(job: FixJob, monitorName: string | null): ListedFixJobResponseDto {
  return { ...presentFixJob(job), monitor_name: monitorName };
}
