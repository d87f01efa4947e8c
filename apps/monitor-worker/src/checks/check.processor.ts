import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, ContractProcessor } from '@epitrace/nest-common';
import { JOBS, QUEUES, ValidatedJob } from '@epitrace/queue-contracts';
import type { MonitorWorkerConfig } from '../config/monitor-worker.config';
import { CheckRunResult, CheckService } from './check.service';

/**
 * When a run was meant to start. Scheduler jobs are named `repeat:<scheduler>:<millis>` and
 * `monitor-started` jobs end in `:<millis>` too; otherwise the job's due time.
 */
export function intendedStartOf(job: Pick<Job, 'id' | 'timestamp' | 'delay'>): Date {
  const tail = Number(String(job.id ?? '').split(':').pop());
  if (Number.isFinite(tail) && tail > 1_000_000_000_000) return new Date(tail);
  return new Date(job.timestamp + (job.delay ?? 0));
}

@Processor(QUEUES.ANALYSIS_REQUESTS)
export class CheckProcessor extends ContractProcessor<CheckRunResult> {
  // A check that cannot be stored is reported per batch by the CheckRecorder; with the database
  // down, a line per failed job would be a thousand lines a second.
  protected override readonly logsFailedJobs = false;

  constructor(
    private readonly checks: CheckService,
    @Inject(APP_CONFIG) config: MonitorWorkerConfig,
  ) {
    super(config.MONITOR_WORKER_CONCURRENCY);
  }

  /** E.g. Redis lost the job under our feet (its data was wiped); the reconciler restores the schedules. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn(`queue worker error: ${err.message}`);
  }

  protected handle(parsed: ValidatedJob, job: Job): Promise<CheckRunResult> {
    switch (parsed.name) {
      case JOBS.MONITOR_CHECK:
      case JOBS.MONITOR_STARTED:
        return this.checks.run(parsed.data.monitorId, intendedStartOf(job));
      default:
        throw new UnrecoverableError(`job "${job.name}" does not belong on ${QUEUES.ANALYSIS_REQUESTS}`);
    }
  }
}
