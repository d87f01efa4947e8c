import { z } from 'zod';
import { baseEnvSchema, envBoolean, envInt, envPort, loadConfig } from '@epitrace/config';

/** Every setting of the monitor-worker, validated at boot. Documented in .env.example. */
export const MonitorWorkerEnvSchema = baseEnvSchema.extend({
  MONITOR_WORKER_PORT: envPort(8081),
  MONITOR_WORKER_HOST: z.string().default('0.0.0.0'),
  /** Checks run at the same time by one process: they wait on the network, not the CPU. */
  MONITOR_WORKER_CONCURRENCY: envInt(1_000, 1, 10_000),
  /** Check rows are written in one INSERT per batch: flushed after this many ms… */
  CHECK_BATCH_FLUSH_MS: envInt(200, 10, 10_000),
  /** …or as soon as this many rows are waiting. */
  CHECK_BATCH_MAX_ROWS: envInt(500, 1, 10_000),
  /** How often job schedulers are reconciled with the active monitors in Postgres. */
  SCHEDULE_RECONCILE_INTERVAL_MS: envInt(30_000, 1_000, 3_600_000),
  /** Raw check rows older than this are pruned (hourly rollups keep the stats). */
  CHECK_RETENTION_DAYS: envInt(30, 2, 3_650),
  /** Hourly rollups older than this are pruned. */
  ROLLUP_RETENTION_DAYS: envInt(400, 31, 36_500),
  /** How long a resolved address is reused before asking DNS again. */
  CHECK_DNS_CACHE_TTL_MS: envInt(60_000, 0, 3_600_000),
  /** Multi-tenant installs: checks may only connect to public addresses (no loopback, private or metadata ranges). */
  CHECK_PUBLIC_TARGETS_ONLY: envBoolean(false),
});

export type MonitorWorkerConfig = z.infer<typeof MonitorWorkerEnvSchema> & { APP_NAME: 'monitor-worker'; PORT: number; HOST: string };

export function loadMonitorWorkerConfig(env: NodeJS.ProcessEnv = process.env): MonitorWorkerConfig {
  const parsed = loadConfig('monitor-worker', MonitorWorkerEnvSchema, { env });
  return { ...parsed, APP_NAME: 'monitor-worker', PORT: parsed.MONITOR_WORKER_PORT, HOST: parsed.MONITOR_WORKER_HOST };
}
