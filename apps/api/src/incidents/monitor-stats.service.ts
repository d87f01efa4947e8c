import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RESPONSE_TIME_BUCKETS_MS } from '@epitrace/entities';
import { MonitorsService } from '../monitors/monitors.service';
import type { MonitorStatsDto, StatsWindow } from './incident.dto';

const HOUR_MS = 3_600_000;
const WINDOW_MS: Record<StatsWindow, number> = { '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS, '30d': 30 * 24 * HOUR_MS };

interface Totals {
  checks: number;
  up: number;
  rtCount: number;
  rtSum: number;
  histogram: Map<number, number>;
}

/** The value below which `fraction` of the histogram's samples fall, interpolated inside its bucket. */
export function histogramPercentile(histogram: Map<number, number>, fraction: number): number | null {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  if (!total) return null;
  const rank = fraction * total;
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    const count = histogram.get(bucket) ?? 0;
    if (seen + count >= rank) {
      const lower = RESPONSE_TIME_BUCKETS_MS[bucket - 1] ?? 0;
      const upper = RESPONSE_TIME_BUCKETS_MS[bucket] ?? lower;
      return Math.round(lower + (upper - lower) * ((rank - seen) / count));
    }
    seen += count;
  }
  return null;
}

/**
 * Uptime and response times over a window without loading check rows: completed hours come
 * from monitor_check_rollups (one row per hour), the hours not rolled up yet from an indexed
 * aggregate over raw checks (monitor_id, checked_at). Both carry the same histogram buckets.
 */
@Injectable()
export class MonitorStatsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly monitors: MonitorsService,
  ) {}

  async stats(userId: string, monitorId: string, window: StatsWindow, now = new Date()): Promise<MonitorStatsDto> {
    await this.monitors.findOwned(userId, monitorId);
    const from = new Date(now.getTime() - WINDOW_MS[window]);
    const firstHour = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);

    const [{ last }] = await this.db.query(`SELECT max(bucket_start) AS last FROM monitor_check_rollups WHERE monitor_id = $1`, [monitorId]);
    const rolledUpTo = last ? new Date(new Date(last).getTime() + HOUR_MS) : null;
    const rawFrom = rolledUpTo && rolledUpTo > from ? rolledUpTo : from;

    const [rolled, raw, [{ incidents }]] = await Promise.all([
      rolledUpTo && rolledUpTo > from ? this.rollupTotals(monitorId, firstHour) : Promise.resolve(emptyTotals()),
      this.rawTotals(monitorId, rawFrom, now),
      this.db.query(`SELECT count(*)::int AS incidents FROM incidents WHERE monitor_id = $1 AND opened_at >= $2`, [monitorId, from]),
    ]);
    const totals = merge(rolled, raw);
    return {
      monitor_id: monitorId,
      window,
      from: rolledUpTo && rolledUpTo > from ? firstHour : from,
      to: now,
      checks: totals.checks,
      up_checks: totals.up,
      down_checks: totals.checks - totals.up,
      uptime_percent: totals.checks ? Math.round((totals.up / totals.checks) * 10_000) / 100 : null,
      response_time_ms: {
        avg: totals.rtCount ? Math.round(totals.rtSum / totals.rtCount) : null,
        p50: histogramPercentile(totals.histogram, 0.5),
        p95: histogramPercentile(totals.histogram, 0.95),
      },
      incidents,
    };
  }

  private async rollupTotals(monitorId: string, fromHour: Date): Promise<Totals> {
    const [sums, buckets] = await Promise.all([
      this.db.query(
        `SELECT coalesce(sum(checks), 0)::int AS checks, coalesce(sum(up_checks), 0)::int AS up,
                coalesce(sum(response_time_count), 0)::int AS rt_count, coalesce(sum(response_time_sum), 0)::float8 AS rt_sum
           FROM monitor_check_rollups WHERE monitor_id = $1 AND bucket_start >= $2`,
        [monitorId, fromHour],
      ),
      this.db.query(
        `SELECT h.key::int AS bucket, sum(h.value::int)::int AS n
           FROM monitor_check_rollups r, jsonb_each_text(r.response_time_histogram) h
          WHERE r.monitor_id = $1 AND r.bucket_start >= $2 GROUP BY 1`,
        [monitorId, fromHour],
      ),
    ]);
    return totalsOf(sums[0], buckets);
  }

  private async rawTotals(monitorId: string, from: Date, to: Date): Promise<Totals> {
    const [sums, buckets] = await Promise.all([
      this.db.query(
        `SELECT count(*)::int AS checks, count(*) FILTER (WHERE status = 'UP')::int AS up,
                count(response_time_ms)::int AS rt_count, coalesce(sum(response_time_ms), 0)::float8 AS rt_sum
           FROM monitor_checks WHERE monitor_id = $1 AND checked_at >= $2 AND checked_at <= $3`,
        [monitorId, from, to],
      ),
      this.db.query(
        `SELECT width_bucket(response_time_ms, $4::int[]) AS bucket, count(*)::int AS n
           FROM monitor_checks
          WHERE monitor_id = $1 AND checked_at >= $2 AND checked_at <= $3 AND response_time_ms IS NOT NULL GROUP BY 1`,
        [monitorId, from, to, [...RESPONSE_TIME_BUCKETS_MS]],
      ),
    ]);
    return totalsOf(sums[0], buckets);
  }
}

function emptyTotals(): Totals {
  return { checks: 0, up: 0, rtCount: 0, rtSum: 0, histogram: new Map() };
}

function totalsOf(
  sums: { checks: number; up: number; rt_count: number; rt_sum: number },
  buckets: { bucket: number; n: number }[],
): Totals {
  return {
    checks: sums.checks,
    up: sums.up,
    rtCount: sums.rt_count,
    rtSum: Number(sums.rt_sum),
    histogram: new Map(buckets.map((b) => [Number(b.bucket), b.n])),
  };
}

function merge(a: Totals, b: Totals): Totals {
  const histogram = new Map(a.histogram);
  for (const [bucket, n] of b.histogram) histogram.set(bucket, (histogram.get(bucket) ?? 0) + n);
  return { checks: a.checks + b.checks, up: a.up + b.up, rtCount: a.rtCount + b.rtCount, rtSum: a.rtSum + b.rtSum, histogram };
}
