import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReconcileReport, ScheduleReconciler, SchedulableMonitor } from '@epitrace/monitor-scheduling';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { MonitorWorkerConfig } from '../config/monitor-worker.config';
import { IncidentEventsProducer } from '../incidents/incident-events.producer';

/**
 * Postgres is the source of truth, Redis keeps nothing on disk: at start-up and every
 * SCHEDULE_RECONCILE_INTERVAL_MS the job schedulers are re-synced with the active monitors and
 * incident events that never reached the queue are re-enqueued.
 */
@Injectable()
export class ScheduleSyncService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduleSyncService.name);
  private running: Promise<ReconcileReport | null> | null = null;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: MonitorWorkerConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly reconciler: ScheduleReconciler,
    private readonly events: IncidentEventsProducer,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    void this.syncNow();
    this.registry.addInterval(
      'schedule-sync',
      setInterval(() => void this.syncNow(), this.config.SCHEDULE_RECONCILE_INTERVAL_MS),
    );
  }

  /** A pass cut short by shutdown (connections closing) is not an error worth logging. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** One pass; concurrent calls share the pass in progress. Errors are logged, never thrown. */
  syncNow(): Promise<ReconcileReport | null> {
    if (this.stopping) return Promise.resolve(null);
    this.running ??= this.sync().finally(() => (this.running = null));
    return this.running;
  }

  private async sync(): Promise<ReconcileReport | null> {
    let report: ReconcileReport | null = null;
    try {
      report = await this.reconciler.reconcile(() => this.activeMonitors());
    } catch (err) {
      if (this.stopping) return null;
      this.logger.error(`schedule reconciliation failed (retried in ${this.config.SCHEDULE_RECONCILE_INTERVAL_MS} ms): ${(err as Error).message}`);
    }
    if (this.stopping) return report;
    try {
      await this.events.sweepMissed();
    } catch (err) {
      this.logger.error(`incident event sweep failed: ${(err as Error).message}`);
    }
    return report;
  }

  private activeMonitors(): Promise<SchedulableMonitor[]> {
    return this.db.query(`SELECT id, check_interval AS "checkInterval" FROM monitors WHERE is_active`);
  }
}
