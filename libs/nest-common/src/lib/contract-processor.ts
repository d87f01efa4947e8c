import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ValidatedJob, parseJobOrFail } from '@epitrace/queue-contracts';
import { logIdsOfJob, withLogIds } from './log-context';

/**
 * What every queue processor does before its own work: validate the job against its contract (a
 * malformed job fails for good instead of using up retries) and handle it with the job's ids —
 * job, monitor, incident, fix job — on every line logged on its behalf. Subclasses stay thin:
 * they name their concurrency and route the validated job.
 */
export abstract class ContractProcessor<Result> extends WorkerHost implements OnApplicationBootstrap {
  protected readonly logger = new Logger(this.constructor.name);
  /** Whether a failed job gets a log line of its own (off where failures are reported in bulk elsewhere). */
  protected readonly logsFailedJobs: boolean = true;

  /** `concurrency`: how many jobs this process handles at once (from the app's config). */
  constructor(private readonly concurrency: number) {
    super();
  }

  protected abstract handle(parsed: ValidatedJob, job: Job, token?: string): Promise<Result>;

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.concurrency;
  }

  process(job: Job, token?: string): Promise<Result> {
    return withLogIds(logIdsOfJob(job), () => this.handle(parseJobOrFail(job), job, token));
  }

  /** Fired outside the job's own context, so the ids are taken from the job again. */
  @OnWorkerEvent('failed')
  onJobFailed(job: Job | undefined, err: Error): void {
    if (!job || !this.logsFailedJobs) return;
    const attempts = job.opts.attempts ?? 1;
    const final = job.attemptsMade >= attempts || err.name === 'UnrecoverableError';
    withLogIds(logIdsOfJob(job), () =>
      this.logger[final ? 'error' : 'warn'](`${job.name} ${job.id} failed (attempt ${job.attemptsMade} of ${attempts}${final ? ', giving up' : ', will retry'}): ${err.message}`),
    );
  }
}
