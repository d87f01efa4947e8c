import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { ApiConfig } from '../config/api.config';
import { LogStore } from './log-store.service';

const SWEEP_EVERY_MS = 60 * 60 * 1000;
const DELETE_BATCH = 5_000;

/**
 * Deletes log lines older than LOG_RETENTION_DAYS, hourly, in small batches so the table is
 * never locked for long. Every replica sweeps; the deletes are idempotent.
 */
@Injectable()
export class LogRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ApiConfig,
    private readonly store: LogStore,
    @InjectPinoLogger(LogRetentionService.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
    setTimeout(() => void this.sweep(), 30_000).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs one sweep (skipped if one is under way); returns how many lines were deleted. */
  sweep(now = new Date()): Promise<number> {
    if (!this.running) {
      this.running = this.deleteExpired(now).finally(() => (this.running = undefined));
    }
    return this.running;
  }

  private async deleteExpired(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.LOG_RETENTION_DAYS * 24 * 60 * 60 * 1000);
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.store.deleteOlderThan(cutoff, DELETE_BATCH);
        total += deleted;
        if (deleted < DELETE_BATCH) break;
      }
      if (total) this.logger.info({ deleted: total, cutoff: cutoff.toISOString() }, 'deleted expired fix-job log lines');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'log retention sweep failed; retrying next hour');
    }
    return total;
  }
}
