import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FIX_JOB_STATUSES, FixJob, FixJobStatus } from '@epitrace/entities';
import { isFinished, pullRequestUrl, statusLabel, stepsOf } from './fix-job-view';
import type { FixStatusToken } from './fix-status-tokens';

export class FixStatusStepDto {
  @ApiProperty({ enum: FIX_JOB_STATUSES, example: 'cloning' }) status: string;
  @ApiProperty({ example: 'Cloning the repository' }) label: string;
  @ApiProperty({ example: '2026-11-25T21:00:02.000Z', description: 'When the step began' }) at: string;
}

/** Only what the status page shows: the job's progress and its pull request, nothing about the monitor, repository or owner. */
export class FixStatusDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: FIX_JOB_STATUSES, example: 'fixing' }) status: FixJobStatus;
  @ApiProperty({ example: 'Cline is fixing the code' }) status_label: string;
  @ApiProperty({ description: 'done, failed or no-change: the job will not change any more; stop polling' }) finished: boolean;
  @ApiProperty({ type: [FixStatusStepDto], description: 'Oldest first' }) steps: FixStatusStepDto[];
  @ApiPropertyOptional({ nullable: true, example: 'https://github.com/acme/shop/pull/42' }) pr_url: string | null;
  @ApiPropertyOptional({ nullable: true, example: 42 }) pr_number: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'Why the job failed (only when status is failed)' }) error: string | null;
  @ApiProperty() updated_at: string;
}

export class FixStatusTokenDto {
  @ApiProperty() token: string;
  @ApiProperty() expires_at: string;
}

export class FixStatusEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: FixStatusDto }) data: FixStatusDto;
  @ApiProperty({
    type: FixStatusTokenDto,
    nullable: true,
    description: 'A renewed token to send with the next poll while the job runs; null once it has finished',
  })
  status_token: FixStatusTokenDto | null;
}

export function presentFixStatus(job: FixJob, renewed: FixStatusToken | null): FixStatusEnvelopeDto {
  return {
    success: true,
    data: {
      id: job.id,
      status: job.status,
      status_label: statusLabel(job.status),
      finished: isFinished(job),
      steps: stepsOf(job),
      pr_url: pullRequestUrl(job),
      pr_number: job.prNumber,
      error: job.status === 'failed' ? job.error : null,
      updated_at: job.updatedAt.toISOString(),
    },
    status_token: renewed ? { token: renewed.token, expires_at: renewed.expiresAt.toISOString() } : null,
  };
}
