import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG } from '@epitrace/nest-common';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { FixFinishedPublisher } from '../notifications/fix-finished.publisher';
import { FixJobStore } from './fix-job.store';

/** BullMQ states in which the job will still run (or is running): leave those to BullMQ. */
const PENDING_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Makes sure no fix job stays "running" forever. A job whose heartbeat stopped is left alone while
 * BullMQ still holds it (its stalled-job check hands it to a worker again); once BullMQ has given
 * up on it (or lost it with Redis) the row is marked failed and the team is told. A queued row
 * whose queue message is gone is enqueued again: Postgres is the source of truth.
 */
@Injectable()
export class StaleFixJobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StaleFixJobSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly store: FixJobStore,
    private readonly finished: FixFinishedPublisher,
    @InjectQueue(QUEUES.CODE) private readonly codeQueue: Queue,
    @Inject(APP_CONFIG) private readonly config: CodeAgentConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.FIX_STALE_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; returns what it did, for tests and logs. */
  async sweep(): Promise<{ failed: string[]; requeued: string[] }> {
    const result = { failed: [] as string[], requeued: [] as string[] };
    if (this.running) return result;
    this.running = true;
    try {
      for (const suspect of await this.store.findSuspect(this.config.FIX_STALE_AFTER_MS)) {
        const queued = await this.codeQueue.getJob(jobIds.codeJob(suspect.id));
        const state = queued ? await queued.getState() : 'missing';
        if (PENDING_STATES.has(state)) continue;
        if (suspect.status === 'queued' && state === 'missing') {
          await this.codeQueue.add(JOBS.CODE_JOB, buildPayload(JOBS.CODE_JOB, { incidentId: suspect.incidentId, fixJobId: suspect.id }), {
            ...JOB_OPTIONS.codeJob,
            jobId: jobIds.codeJob(suspect.id),
          });
          this.logger.warn({ fixJobId: suspect.id, incidentId: suspect.incidentId }, `fix job ${suspect.id} was queued but its queue message was gone; enqueued it again`);
          result.requeued.push(suspect.id);
          continue;
        }
        const reason = `the worker running this job stopped responding (last step: ${suspect.status}) and it will not be retried`;
        if (await this.store.finish(suspect.id, 'failed', reason)) {
          await this.finished.publish(suspect.incidentId, suspect.id);
          this.logger.warn({ fixJobId: suspect.id, incidentId: suspect.incidentId }, `fix job ${suspect.id} marked failed: ${reason}`);
          result.failed.push(suspect.id);
        }
      }
    } catch (err) {
      this.logger.error(`stale fix-job sweep failed: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
    return result;
  }
}
