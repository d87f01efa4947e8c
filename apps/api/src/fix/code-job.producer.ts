import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';

/** Puts a fix job on `code_queue`: ids only, never the token; the deterministic id makes a repeat a no-op. */
@Injectable()
export class CodeJobProducer {
  constructor(
    @InjectQueue(QUEUES.CODE) private readonly queue: Queue,
    @InjectPinoLogger(CodeJobProducer.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Called after the job row is committed. If Redis is unreachable the row stays `queued` and the
   * code-agent's sweeper enqueues it later (Postgres is the source of truth), so this never throws.
   */
  async enqueue(job: { id: string; incidentId: string }): Promise<boolean> {
    try {
      await this.queue.add(JOBS.CODE_JOB, buildPayload(JOBS.CODE_JOB, { incidentId: job.incidentId, fixJobId: job.id }), {
        ...JOB_OPTIONS.codeJob,
        jobId: jobIds.codeJob(job.id),
      });
      return true;
    } catch (err) {
      this.logger.warn({ fixJobId: job.id, err: (err as Error).message }, 'could not enqueue the fix job now; it stays queued and will be picked up later');
      return false;
    }
  }
}
