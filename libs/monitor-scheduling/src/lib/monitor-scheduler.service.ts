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

/**
 * One BullMQ job scheduler per active monitor on `analysis-requests`. Postgres is the source of
 * truth for which monitors are active; these calls mirror it into Redis (and the reconciler
 * repairs any drift). Callers invoke them after their transaction has committed.
 */
@Injectable()
export class MonitorScheduler {
  constructor(@InjectQueue(QUEUES.ANALYSIS_REQUESTS) private readonly queue: Queue) {}

  /** Creates or updates the monitor's schedule (a changed interval takes effect at once). */
  async schedule(monitor: SchedulableMonitor): Promise<void> {
    await this.queue.upsertJobScheduler(
      jobIds.monitorScheduler(monitor.id),
      { every: monitor.checkInterval * 1000 },
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

  /** Ids of the monitors that currently have a schedule in Redis. */
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
