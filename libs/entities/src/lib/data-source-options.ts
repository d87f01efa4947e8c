import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { AlertDelivery } from './alert-delivery.entity';
import { FixJob } from './fix-job.entity';
import { FixTriggerToken } from './fix-trigger-token.entity';
import { GithubToken, MonitorGithubToken } from './github-token.entity';
import { Incident } from './incident.entity';
import { JobLogEntry } from './job-log-entry.entity';
import { MonitorCheck } from './monitor-check.entity';
import { MonitorCheckRollup } from './monitor-check-rollup.entity';
import { Monitor } from './monitor.entity';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { User } from './user.entity';
import { MonitorWebhook, Webhook } from './webhook.entity';

export const ENTITIES = [
  User,
  Monitor,
  MonitorCheck,
  MonitorCheckRollup,
  Webhook,
  MonitorWebhook,
  GithubToken,
  MonitorGithubToken,
  Incident,
  AlertDelivery,
  FixTriggerToken,
  FixJob,
  JobLogEntry,
];

export interface DataSourceSettings {
  url: string;
  /** Connection pool size per process. */
  poolSize?: number;
  migrationsRun?: boolean;
  applicationName?: string;
}

/** The one description of how every app (and the tests and the migration command) reaches Postgres. */
export function buildDataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: settings.migrationsRun ?? false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: settings.applicationName,
    extra: {
      max: settings.poolSize ?? 10,
      // Fail a connection attempt quickly so /health can say 503 instead of hanging.
      connectionTimeoutMillis: 5_000,
    },
  };
}
