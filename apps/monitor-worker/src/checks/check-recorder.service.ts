import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { MonitorWorkerConfig } from '../config/monitor-worker.config';
import { IncidentEventsProducer } from '../incidents/incident-events.producer';
import { MonitorStateStore } from '../incidents/monitor-state.store';
import type { CheckRecord } from './check-record';

interface Waiting {
  record: CheckRecord;
  done: (err?: unknown) => void;
}

/**
 * Collects finished checks and writes them in batches (every CHECK_BATCH_FLUSH_MS, or at
 * CHECK_BATCH_MAX_ROWS), one batch at a time: under load batches simply grow. `record()`
 * resolves once the row is committed and any incident event enqueued, so a job only completes
 * when its check is stored.
 * Incident events are enqueued after the commit; if that fails the sweep re-enqueues them.
 */
@Injectable()
export class CheckRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(CheckRecorder.name);
  private pending: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: MonitorWorkerConfig,
    private readonly store: MonitorStateStore,
    private readonly events: IncidentEventsProducer,
  ) {}

  record(record: CheckRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ record, done: (err) => (err ? reject(err) : resolve()) });
      if (this.pending.length >= this.config.CHECK_BATCH_MAX_ROWS) this.flushSoon(0);
      else this.flushSoon(this.config.CHECK_BATCH_FLUSH_MS);
    });
  }

  /** Writes everything waiting now (and waits for a batch already in flight). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = null;
      if (this.pending.length) this.flushSoon(this.pending.length >= this.config.CHECK_BATCH_MAX_ROWS ? 0 : this.config.CHECK_BATCH_FLUSH_MS);
    });
    await this.flushing;
  }

  private flushSoon(delayMs: number): void {
    if (this.flushing) return; // the running batch re-arms the timer when it finishes
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), delayMs);
  }

  private async write(batch: Waiting[]): Promise<void> {
    let transitions;
    try {
      transitions = await this.store.apply(batch.map((w) => w.record));
    } catch (err) {
      this.logger.error(`could not store ${batch.length} check(s): ${(err as Error).message}`);
      for (const w of batch) w.done(err);
      return;
    }
    try {
      await this.events.publish(transitions);
    } catch (err) {
      this.logger.error(`incident events not enqueued yet (the sweep will retry): ${(err as Error).message}`);
    }
    for (const w of batch) w.done();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
