import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';

export interface SchedulableMonitor {
  id: string;
  /** Seconds. */
  checkInterval: number;
}

const SCHEDULER_PREFIX = jobIds.monitorScheduler('');

/** 1..every-1 ms, the same for a monitor every time (BullMQ treats offset 0 as "none"). */
function stableOffset(monitorId: string, every: number): number {
  let hash = 0;
  for (let i = 0; i < monitorId.length; i++) hash = (hash * 31 + monitorId.charCodeAt(i)) >>> 0;
  return 1 + (hash % Math.max(1, every - 1));
}

/**
 * One BullMQ job scheduler per active monitor on `analysis-requests`. Postgres is the source of
 * truth for which monitors are active; these calls mirror it into Redis (and the reconciler
 * repairs any drift). Callers invoke them after their transaction has committed.
 */
@Injectable()
export class MonitorScheduler {
  constructor(@InjectQueue(QUEUES.ANALYSIS_REQUESTS) private readonly queue: Queue) {}

  /**
   * Creates or updates the monitor's schedule. A new schedule (or a changed interval) runs its
   * first check at once: BullMQ's `every` scheduler enqueues the first job with no delay.
   * `spread` instead starts at a slot derived from the monitor id, so that re-creating thousands
   * of schedules at once (reconciliation after Redis lost its data) does not make them all fire
   * in the same instant, interval after interval.
   */
  async schedule(monitor: SchedulableMonitor, options: { spread?: boolean } = {}): Promise<void> {
    const every = monitor.checkInterval * 1000;
    await this.queue.upsertJobScheduler(
      jobIds.monitorScheduler(monitor.id),
      options.spread ? { every, offset: stableOffset(monitor.id, every) } : { every },
      {
        name: JOBS.MONITOR_CHECK,
        data: buildPayload(JOBS.MONITOR_CHECK, { monitorId: monitor.id }),
        opts: JOB_OPTIONS.monitorCheck,
      },
    );
  }

  async unschedule(monitorId: string): Promise<void> {
    await this.queue.removeJobScheduler(jobIds.monitorScheduler(monitorId));
  }

  /** Ids of the monitors that currently have a schedule in Redis, with their interval in ms. */
  async scheduledMonitorIds(): Promise<Map<string, number>> {
    const scheduled = new Map<string, number>();
    const pageSize = 1000;
    for (let start = 0; ; start += pageSize) {
      const page = await this.queue.getJobSchedulers(start, start + pageSize - 1, true);
      for (const s of page) {
        const id = s.key.startsWith(SCHEDULER_PREFIX) ? s.key.slice(SCHEDULER_PREFIX.length) : null;
        if (id) scheduled.set(id, Number(s.every ?? 0));
      }
      if (page.length < pageSize) break;
    }
    return scheduled;
  }

  /** Removes every monitor schedule (used by the development database reset). */
  async unscheduleAll(): Promise<number> {
    const ids = [...(await this.scheduledMonitorIds()).keys()];
    await Promise.all(ids.map((id) => this.unschedule(id)));
    return ids.length;
  }
}
