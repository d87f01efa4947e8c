import { Injectable, Logger } from '@nestjs/common';
import { MonitorScheduler, SchedulableMonitor } from './monitor-scheduler.service';

export interface ReconcileReport {
  added: number;
  rescheduled: number;
  removed: number;
  unchanged: number;
}

const PARALLEL_REDIS_CALLS = 50;

async function inChunks<T>(items: T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL_REDIS_CALLS) {
    await Promise.all(items.slice(i, i + PARALLEL_REDIS_CALLS).map(run));
  }
}

/**
 * Makes Redis's job schedulers match Postgres's active monitors: adds missing ones (e.g. after
 * Redis lost its data), fixes wrong intervals, removes orphans. Idempotent, so several replicas
 * may run it at the same time.
 */
@Injectable()
export class ScheduleReconciler {
  private readonly logger = new Logger(ScheduleReconciler.name);

  constructor(private readonly scheduler: MonitorScheduler) {}

  /**
   * Reads Redis first, Postgres second: a monitor activated in between is then seen as active
   * (its schedule is merely re-upserted), never mistaken for an orphan and removed.
   */
  async reconcile(loadActiveMonitors: () => Promise<SchedulableMonitor[]>): Promise<ReconcileReport> {
    const scheduled = await this.scheduler.scheduledMonitorIds();
    const active = await loadActiveMonitors();
    const activeIds = new Set(active.map((m) => m.id));

    const missing = active.filter((m) => !scheduled.has(m.id));
    const wrongInterval = active.filter((m) => scheduled.has(m.id) && scheduled.get(m.id) !== m.checkInterval * 1000);
    const orphans = [...scheduled.keys()].filter((id) => !activeIds.has(id));

    await inChunks(missing, (m) => this.scheduler.schedule(m, { spread: true }));
    await inChunks(wrongInterval, (m) => this.scheduler.schedule(m));
    await inChunks(orphans, (id) => this.scheduler.unschedule(id));

    const report = {
      added: missing.length,
      rescheduled: wrongInterval.length,
      removed: orphans.length,
      unchanged: active.length - missing.length - wrongInterval.length,
    };
    if (report.added || report.rescheduled || report.removed) this.logger.log(`schedules reconciled: ${JSON.stringify(report)}`);
    return report;
  }
}
