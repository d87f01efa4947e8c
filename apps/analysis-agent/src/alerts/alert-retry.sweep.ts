import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '@epitrace/nest-common';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';

interface DueDelivery {
  incident_id: string;
  monitor_id: string;
  event_key: string;
}

/**
 * An alert must never be lost because a webhook receiver was down for longer than one job's
 * retries last. Deliveries left `failed` (past their next_attempt_at) or stuck `sending` by a
 * crashed worker are handed back to the queue as the event that produced them; the outbox then
 * sends only what was not sent yet, and a rejected delivery (4xx: the URL is wrong) is not
 * retried. Deliveries older than ALERT_RETRY_MAX_AGE_MS are given up on.
 */
@Injectable()
export class AlertRetrySweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertRetrySweep.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.DOWN_MONITORS) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AnalysisAgentConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: Error) => this.logger.warn(`alert retry sweep failed: ${err.message}`));
    }, this.config.ALERT_RETRY_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Re-enqueues the events of due deliveries; returns how many events were handed back. */
  async sweep(now = Date.now()): Promise<number> {
    const due: DueDelivery[] = await this.dataSource.query(
      `SELECT DISTINCT d.incident_id, i.monitor_id, d.event_key
         FROM alert_deliveries d JOIN incidents i ON i.id = d.incident_id
        WHERE d.created_at > now() - ($1::bigint * interval '1 millisecond')
          AND ((d.status = 'failed' AND d.next_attempt_at <= now() AND coalesce(d.last_error, '') NOT LIKE 'rejected:%')
            OR (d.status = 'sending' AND d.updated_at < now() - ($2::bigint * interval '1 millisecond')))
        LIMIT 500`,
      [this.config.ALERT_RETRY_MAX_AGE_MS, this.config.WEBHOOK_STALE_SENDING_MS],
    );
    // Replicas sweeping in the same window derive the same job id, so BullMQ keeps one job.
    const window = Math.floor(now / this.config.ALERT_RETRY_SWEEP_MS);
    let handedBack = 0;
    for (const row of due) {
      const job = this.jobFor(row);
      if (!job) continue;
      await this.queue.add(job.name, job.data, { ...JOB_OPTIONS.incidentEvent, jobId: `${job.id}-retry-${window}` });
      handedBack++;
    }
    if (handedBack) this.logger.log({ events: handedBack }, `handed ${handedBack} undelivered alert event(s) back to the queue`);
    return handedBack;
  }

  private jobFor(row: DueDelivery) {
    const ids = { incidentId: row.incident_id, monitorId: row.monitor_id };
    if (row.event_key === 'down' || row.event_key === 'analysis') {
      return { name: JOBS.MONITOR_DOWN, data: buildPayload(JOBS.MONITOR_DOWN, ids), id: jobIds.monitorDown(row.incident_id) };
    }
    if (row.event_key === 'recovered') {
      return { name: JOBS.MONITOR_RECOVERED, data: buildPayload(JOBS.MONITOR_RECOVERED, ids), id: jobIds.monitorRecovered(row.incident_id) };
    }
    const fix = /^fix:([0-9a-f-]{36})$/.exec(row.event_key);
    if (fix) {
      const data = buildPayload(JOBS.FIX_FINISHED, { incidentId: row.incident_id, fixJobId: fix[1] });
      return { name: JOBS.FIX_FINISHED, data, id: jobIds.fixFinished(fix[1]) };
    }
    this.logger.warn({ incidentId: row.incident_id }, `no event to retry for alert "${row.event_key}"`);
    return null;
  }
}
