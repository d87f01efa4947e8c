import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG } from '@epitrace/nest-common';
import { JOBS, parseJobOrFail, QUEUES } from '@epitrace/queue-contracts';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { FixJobInterruptedError, FixJobRunner, FixRunOutcome } from './fix-job.runner';

/** Takes `code-job`s off `code_queue`: validates, hands over to the runner, lets BullMQ retry. */
@Processor(QUEUES.CODE)
export class CodeJobProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(CodeJobProcessor.name);

  constructor(
    private readonly runner: FixJobRunner,
    @Inject(APP_CONFIG) private readonly config: CodeAgentConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.CODE_AGENT_CONCURRENCY;
  }

  async process(job: Job, token?: string): Promise<FixRunOutcome> {
    const parsed = parseJobOrFail(job);
    if (parsed.name !== JOBS.CODE_JOB) throw new UnrecoverableError(`unexpected job "${job.name}" on ${QUEUES.CODE}`);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const outcome = await this.runner.run(parsed.data.fixJobId, parsed.data.incidentId, { final });
      this.logger.log({ jobId: job.id, fixJobId: parsed.data.fixJobId, incidentId: parsed.data.incidentId, outcome }, `fix job ${parsed.data.fixJobId}: ${outcome}`);
      return outcome;
    } catch (err) {
      if (!(err instanceof FixJobInterruptedError)) throw err;
      // A shutdown is not the job's fault: put it back without using up one of its attempts.
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError();
    }
  }
}
