import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';
import type { IncidentTransition, Transitions } from './monitor-state.store';

/** An incident younger than this may still be on its way through the normal path. */
const SWEEP_GRACE_SECONDS = 15;
const SWEEP_BATCH = 500;

/**
 * Puts incident events on `down-monitors`, only after the transaction that opened or resolved
 * the incident committed. Job ids derive from the incident id, so a repeat is ignored by BullMQ.
 * Each incident records that its event reached the queue; the sweep re-enqueues any a crash or
 * a Redis outage left behind, so an alert is never lost.
 */
@Injectable()
export class IncidentEventsProducer {
  private readonly logger = new Logger(IncidentEventsProducer.name);

  constructor(
    @InjectQueue(QUEUES.DOWN_MONITORS) private readonly queue: Queue,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async publish(transitions: Transitions): Promise<void> {
    await this.publishDown(transitions.opened);
    await this.publishRecovered(transitions.resolved);
  }

  /** Re-enqueues the events of incidents whose enqueue never completed. Returns how many. */
  async sweepMissed(): Promise<number> {
    const rows: { id: string; monitor_id: string; kind: 'down' | 'recovered' }[] = await this.db.query(
      `SELECT id, monitor_id, CASE WHEN down_event_enqueued_at IS NULL THEN 'down' ELSE 'recovered' END AS kind
         FROM incidents
        WHERE (down_event_enqueued_at IS NULL AND opened_at < now() - make_interval(secs => $1))
           OR (state = 'resolved' AND recovery_event_enqueued_at IS NULL AND resolved_at < now() - make_interval(secs => $1))
        LIMIT $2`,
      [SWEEP_GRACE_SECONDS, SWEEP_BATCH],
    );
    const toTransition = (r: { id: string; monitor_id: string }) => ({ incidentId: r.id, monitorId: r.monitor_id });
    // A resolved incident whose down event was lost gets it first, then its recovery on a later sweep.
    await this.publishDown(rows.filter((r) => r.kind === 'down').map(toTransition));
    await this.publishRecovered(rows.filter((r) => r.kind === 'recovered').map(toTransition));
    if (rows.length) this.logger.warn(`re-enqueued ${rows.length} incident event(s) a previous attempt left out of the queue`);
    return rows.length;
  }

  private async publishDown(opened: IncidentTransition[]): Promise<void> {
    if (!opened.length) return;
    await this.queue.addBulk(
      opened.map((t) => ({
        name: JOBS.MONITOR_DOWN,
        data: buildPayload(JOBS.MONITOR_DOWN, { incidentId: t.incidentId, monitorId: t.monitorId }),
        opts: { ...JOB_OPTIONS.incidentEvent, jobId: jobIds.monitorDown(t.incidentId) },
      })),
    );
    await this.db.query(`UPDATE incidents SET down_event_enqueued_at = now() WHERE id = ANY($1::uuid[])`, [opened.map((t) => t.incidentId)]);
  }

  private async publishRecovered(resolved: IncidentTransition[]): Promise<void> {
    if (!resolved.length) return;
    await this.queue.addBulk(
      resolved.map((t) => ({
        name: JOBS.MONITOR_RECOVERED,
        data: buildPayload(JOBS.MONITOR_RECOVERED, { incidentId: t.incidentId, monitorId: t.monitorId }),
        opts: { ...JOB_OPTIONS.incidentEvent, jobId: jobIds.monitorRecovered(t.incidentId) },
      })),
    );
    await this.db.query(
      `UPDATE incidents SET recovery_event_enqueued_at = now() WHERE id = ANY($1::uuid[]) AND down_event_enqueued_at IS NOT NULL`,
      [resolved.map((t) => t.incidentId)],
    );
  }
}
