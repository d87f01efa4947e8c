import { z } from 'zod';
import { baseEnvSchema, envPort, loadConfig } from '@epitrace/config';

/** Every setting of the monitor-worker, validated at boot. Documented in .env.example. */
export const MonitorWorkerEnvSchema = baseEnvSchema.extend({
  MONITOR_WORKER_PORT: envPort(8081),
  MONITOR_WORKER_HOST: z.string().default('0.0.0.0'),
});

export type MonitorWorkerConfig = z.infer<typeof MonitorWorkerEnvSchema> & { APP_NAME: 'monitor-worker'; PORT: number; HOST: string };

export function loadMonitorWorkerConfig(env: NodeJS.ProcessEnv = process.env): MonitorWorkerConfig {
  const parsed = loadConfig('monitor-worker', MonitorWorkerEnvSchema, { env });
  return { ...parsed, APP_NAME: 'monitor-worker', PORT: parsed.MONITOR_WORKER_PORT, HOST: parsed.MONITOR_WORKER_HOST };
}
