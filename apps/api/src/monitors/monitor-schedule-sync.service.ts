import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { MonitorScheduler, SchedulableMonitor } from '@epitrace/monitor-scheduling';

/** BullMQ waits for Redis indefinitely; an API request should not. */
const REDIS_CALL_TIMEOUT_MS = 5_000;

/**
 * Mirrors a committed monitor change into Redis. Postgres stays the source of truth: if Redis is
 * unreachable the change is kept, a warning is logged, and the monitor-worker's reconciler
 * repairs the schedule when Redis is back.
 */
@Injectable()
export class MonitorScheduleSync {
  constructor(
    private readonly scheduler: MonitorScheduler,
    @InjectPinoLogger('MonitorScheduleSync') private readonly logger: PinoLogger,
  ) {}

  schedule(monitor: SchedulableMonitor): Promise<void> {
    return this.run('schedule', monitor.id, () => this.scheduler.schedule({ id: monitor.id, checkInterval: monitor.checkInterval }));
  }

  unschedule(monitorId: string): Promise<void> {
    return this.run('unschedule', monitorId, () => this.scheduler.unschedule(monitorId));
  }

  private async run(action: string, monitorId: string, call: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${REDIS_CALL_TIMEOUT_MS} ms`)), REDIS_CALL_TIMEOUT_MS);
    });
    try {
      await Promise.race([call(), timeout]);
    } catch (err) {
      this.logger.warn({ monitorId, action, reason: (err as Error).message }, 'monitor schedule not updated; the reconciler will repair it');
    } finally {
      clearTimeout(timer);
    }
  }
}
