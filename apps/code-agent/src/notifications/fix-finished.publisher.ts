import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';

/**
 * Tells the analysis-agent a fix job finished (PR opened, no change, or failed); it sends the
 * Slack/Discord follow-up through its alert outbox. The job id makes a repeat a no-op.
 */
@Injectable()
export class FixFinishedPublisher {
  constructor(@InjectQueue(QUEUES.DOWN_MONITORS) private readonly queue: Queue) {}

  async publish(incidentId: string, fixJobId: string): Promise<void> {
    await this.queue.add(JOBS.FIX_FINISHED, buildPayload(JOBS.FIX_FINISHED, { incidentId, fixJobId }), {
      ...JOB_OPTIONS.incidentEvent,
      jobId: jobIds.fixFinished(fixJobId),
    });
  }
}
