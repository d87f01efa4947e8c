import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { incidentsTotal } from '@epitrace/metrics';
import { APP_CONFIG, withLogIds, withoutLogIds } from '@epitrace/nest-common';
import type { MonitorWorkerConfig } from '../config/monitor-worker.config';
import { IncidentEventsProducer } from '../incidents/incident-events.producer';
import { MonitorStateStore } from '../incidents/monitor-state.store';
import type { CheckRecord } from './check-record';

interface Waiting {
  record: CheckRecord;
  done: (err?: unknown) => void;
}

/**
 * Two batches may be in flight, so a slow commit does not stall the next one. They cannot
 * deadlock (monitor rows are locked in id order) and a monitor is checked at most once per
 * batch interval, so its consecutive checks land in order.
 */
const MAX_BATCHES_IN_FLIGHT = 2;

/**
 * Collects finished checks and writes them in batches (every CHECK_BATCH_FLUSH_MS, or at
 * CHECK_BATCH_MAX_ROWS); under load batches simply grow. `record()` resolves once the row is
 * committed and any incident event enqueued, so a job only completes when its check is stored.
 * Incident events are enqueued after the commit; if that fails the sweep re-enqueues them.
 */
@Injectable()
export class CheckRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(CheckRecorder.name);
  private pending: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: MonitorWorkerConfig,
    private readonly store: MonitorStateStore,
    private readonly events: IncidentEventsProducer,
  ) {}

  record(record: CheckRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ record, done: (err) => (err ? reject(err) : resolve()) });
      // A batch holds many monitors' checks: it must not carry (and log under) the ids of the check that started it.
      withoutLogIds(() => {
        if (this.pending.length >= this.config.CHECK_BATCH_MAX_ROWS) this.writeNow();
        else this.timer ??= setTimeout(() => this.writeNow(), this.config.CHECK_BATCH_FLUSH_MS);
      });
    });
  }

  /** Writes everything waiting and resolves when nothing is left in flight (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.pending.length || this.inFlight.size) {
      this.writeNow();
      if (this.inFlight.size) await Promise.race(this.inFlight);
    }
  }

  private writeNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // At capacity: the batch finishing next picks up what is waiting.
    if (!this.pending.length || this.inFlight.size >= MAX_BATCHES_IN_FLIGHT) return;
    const batch = this.pending;
    this.pending = [];
    const writing: Promise<void> = this.write(batch).finally(() => {
      this.inFlight.delete(writing);
      if (this.pending.length >= this.config.CHECK_BATCH_MAX_ROWS) this.writeNow();
      else if (this.pending.length) this.timer ??= setTimeout(() => this.writeNow(), this.config.CHECK_BATCH_FLUSH_MS);
    });
    this.inFlight.add(writing);
  }

  private async write(batch: Waiting[]): Promise<void> {
    let transitions;
    try {
      transitions = await this.store.apply(batch.map((w) => w.record));
    } catch (err) {
      this.logger.error({ monitorIds: [...new Set(batch.map((w) => w.record.monitorId))], err: (err as Error).message }, `could not store ${batch.length} check(s): ${(err as Error).message}`);
      for (const w of batch) w.done(err);
      return;
    }
    incidentsTotal.inc({ transition: 'opened' }, transitions.opened.length);
    incidentsTotal.inc({ transition: 'resolved' }, transitions.resolved.length);
    for (const t of transitions.opened) withLogIds(t, () => this.logger.warn(`monitor ${t.monitorId} is DOWN: incident ${t.incidentId} opened`));
    for (const t of transitions.resolved) withLogIds(t, () => this.logger.log(`monitor ${t.monitorId} is UP again: incident ${t.incidentId} resolved`));
    try {
      await this.events.publish(transitions);
    } catch (err) {
      const incidentIds = [...transitions.opened, ...transitions.resolved].map((t) => t.incidentId);
      this.logger.error({ incidentIds, err: (err as Error).message }, `incident events not enqueued yet (the sweep will retry): ${(err as Error).message}`);
    }
    for (const w of batch) w.done();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
