import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { redisOptionsFromUrl } from '@epitrace/config';
import { QUEUES } from '@epitrace/queue-contracts';
import { LogCapture, TEST_REDIS_URL, TestDatabase, createTestDatabase, deleteKeysWithPrefix, uniqueQueuePrefix } from '@epitrace/testing';
import { AppModule } from '../../src/app.module';
import { loadMonitorWorkerConfig } from '../../src/config/monitor-worker.config';
import { ScheduleSyncService } from '../../src/scheduling/schedule-sync.service';
import type { CheckTarget } from '../../src/checks/check-target';

/** A local HTTP target whose behaviour the test changes on the fly. */
export interface Target {
  url: string;
  hits: number;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  const target: Target = {
    url: '',
    hits: 0,
    handler: (_req, res) => res.end('ok'),
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    target.hits++;
    target.handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return target;
}

/** A check target with the monitor defaults (GET, 5 s, 200–399, redirects followed). */
export function checkTarget(url: string, over: Partial<CheckTarget> = {}): CheckTarget {
  return {
    id: '00000000-0000-4000-8000-000000000000',
    url,
    method: 'GET',
    requestHeader: {},
    requestBody: null,
    timeout: 5,
    expectedStatusRanges: [{ min: 200, max: 399 }],
    keyword: null,
    keywordMode: 'present',
    maxResponseTimeMs: null,
    followRedirects: true,
    ...over,
  };
}

export const respondWith = (status: number, body = 'ok') => (_req: IncomingMessage, res: ServerResponse) => {
  res.statusCode = status;
  res.end(body);
};

export interface WorkerEnv {
  databaseUrl: string;
  redisUrl?: string;
  queuePrefix: string;
  extra?: Record<string, string>;
  /** Captures the app's log lines (at LOG_LEVEL, 'warn' unless `extra` says otherwise). */
  logs?: LogCapture;
}

/** The real monitor-worker application (processor, scheduler sync, maintenance), not listening on a port. */
export async function startWorker({ databaseUrl, redisUrl = TEST_REDIS_URL, queuePrefix, extra = {}, logs }: WorkerEnv): Promise<INestApplication> {
  const config = loadMonitorWorkerConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    SCHEDULE_RECONCILE_INTERVAL_MS: '3600000',
    CHECK_BATCH_FLUSH_MS: '20',
    ...extra,
  });
  const app = logs
    ? await NestFactory.create(AppModule.forRoot(config, { logDestination: logs }), { bufferLogs: true, abortOnError: false })
    : await NestFactory.create(AppModule.forRoot(config), { logger: ['error'], abortOnError: false });
  if (logs) {
    app.useLogger(app.get(PinoLogger));
    app.flushLogs();
  }
  app.enableShutdownHooks();
  await app.init();
  await app.get(ScheduleSyncService).syncNow();
  return app;
}

/** Database, queue prefix and SQL helpers of one test file. */
export class PipelineFixture {
  db!: TestDatabase;
  pg!: Client;
  prefix = uniqueQueuePrefix('mw');
  userId = '';
  private readonly queues: Queue[] = [];

  async setUp(label: string): Promise<void> {
    this.db = await createTestDatabase(label);
    this.pg = new Client({ connectionString: this.db.url });
    await this.pg.connect();
    const { rows } = await this.pg.query(`INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`, [`${label}@example.test`]);
    this.userId = rows[0].id;
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
    await this.pg?.end();
    await this.db?.drop();
    await deleteKeysWithPrefix(this.prefix);
  }

  queue(name: (typeof QUEUES)[keyof typeof QUEUES], redisUrl = TEST_REDIS_URL): Queue {
    const q = new Queue(name, { connection: redisOptionsFromUrl(redisUrl), prefix: this.prefix });
    this.queues.push(q);
    return q;
  }

  async createMonitor(fields: Record<string, unknown>): Promise<string> {
    const values = { name: 'api', method: 'GET', is_active: true, check_interval: 60, timeout: 5, ...fields, user_id: this.userId };
    const keys = Object.keys(values);
    const { rows } = await this.pg.query(
      `INSERT INTO monitors (${keys.join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(values).map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v)),
    );
    return rows[0].id;
  }

  async monitor(id: string): Promise<{ status: string | null; consecutive_failures: number; consecutive_successes: number; last_checked_at: Date | null }> {
    return (await this.pg.query(`SELECT * FROM monitors WHERE id = $1`, [id])).rows[0];
  }

  async checks(monitorId: string): Promise<{ status: string; status_code: number | null; error_message: string | null; response_time_ms: number | null; scheduled_at: Date }[]> {
    return (await this.pg.query(`SELECT * FROM monitor_checks WHERE monitor_id = $1 ORDER BY scheduled_at`, [monitorId])).rows;
  }

  async incidents(monitorId: string): Promise<{ id: string; state: string; cause: string | null; status_code: number | null; down_event_enqueued_at: Date | null; recovery_event_enqueued_at: Date | null }[]> {
    return (await this.pg.query(`SELECT * FROM incidents WHERE monitor_id = $1 ORDER BY opened_at`, [monitorId])).rows;
  }
}
