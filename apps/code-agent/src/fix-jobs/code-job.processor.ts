import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, ContractProcessor } from '@epitrace/nest-common';
import { JOBS, QUEUES, ValidatedJob } from '@epitrace/queue-contracts';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { FixJobInterruptedError, FixJobRunner, FixRunOutcome } from './fix-job.runner';

/** Takes `code-job`s off `code_queue`: hands them to the runner, lets BullMQ retry. */
@Processor(QUEUES.CODE)
export class CodeJobProcessor extends ContractProcessor<FixRunOutcome> {
  constructor(
    private readonly runner: FixJobRunner,
    @Inject(APP_CONFIG) config: CodeAgentConfig,
  ) {
    super(config.CODE_AGENT_CONCURRENCY);
  }

  protected async handle(parsed: ValidatedJob, job: Job, token?: string): Promise<FixRunOutcome> {
    if (parsed.name !== JOBS.CODE_JOB) throw new UnrecoverableError(`unexpected job "${job.name}" on ${QUEUES.CODE}`);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const outcome = await this.runner.run(parsed.data.fixJobId, parsed.data.incidentId, { final });
      this.logger.log({ outcome }, `fix job ${parsed.data.fixJobId}: ${outcome}`);
      return outcome;
    } catch (err) {
      if (!(err instanceof FixJobInterruptedError)) throw err;
      // A shutdown is not the job's fault: put it back without using up one of its attempts.
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError();
    }
  }
}
