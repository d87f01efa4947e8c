import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MONITOR_STATUSES } from '@epitrace/entities';
import { monitorsByStatus } from '@epitrace/metrics';

/** A monitor with no verdict yet (status NULL) is reported as PENDING. */
const KNOWN_STATUSES = [...MONITOR_STATUSES, 'PENDING'];

/**
 * Keeps epitrace_monitors{status} equal to the active monitors per status in Postgres. Counted
 * from the table rather than from checks seen by this replica, so every replica reports the
 * same totals (aggregate with max(), not sum()).
 */
@Injectable()
export class MonitorStatusGauge implements OnApplicationBootstrap {
  private readonly logger = new Logger(MonitorStatusGauge.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onApplicationBootstrap(): void {
    void this.refreshScheduled();
  }

  @Interval(15_000)
  async refreshScheduled(): Promise<void> {
    try {
      await this.refresh();
    } catch (err) {
      // The database may be away for a while; the gauge keeps its last values until it is back.
      this.logger.warn(`monitor status gauge not refreshed: ${(err as Error).message}`);
    }
  }

  /** Returns the counts it set (0 for statuses no active monitor has). */
  async refresh(): Promise<Record<string, number>> {
    const rows: { status: string; n: number }[] = await this.db.query(
      `SELECT coalesce(status, 'PENDING') AS status, count(*)::int AS n FROM monitors WHERE is_active GROUP BY 1`,
    );
    const counts: Record<string, number> = Object.fromEntries(KNOWN_STATUSES.map((s) => [s, 0]));
    for (const row of rows) counts[row.status] = row.n;
    for (const [status, n] of Object.entries(counts)) monitorsByStatus.set({ status }, n);
    return counts;
  }
}
