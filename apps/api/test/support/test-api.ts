/**
 * End-to-end harness for the api: boots the REAL application (AppModule.forRoot + configureHttp,
 * the same stack as main.ts) on a free port of 127.0.0.1, against a fresh Postgres database with
 * every migration applied and a BullMQ key prefix of its own on the shared Redis.
 *
 * Usage in apps/api/test/<area>.spec.ts:
 *
 *   import { startTestApi, TestApi } from './support/test-api';
 *
 *   let api: TestApi;
 *   beforeAll(async () => { api = await startTestApi({ label: 'monitors' }); });
 *   afterAll(() => api?.stop());                        // closes the app, drops the DB, deletes the queue keys
 *
 *   it('lists my monitors', async () => {
 *     const ann = await api.registerUser();             // { id, email, password, token } + request helpers
 *     await ann.post('/monitor/create').send({ ... }).expect(201);
 *     const res = await ann.get('/monitor').expect(200);
 *     await api.request().get('/monitor').expect(401); // anonymous request
 *   });
 *
 * Also: `api.app.get(SomeProvider)` for services (e.g. MonitorScheduler), `api.query(sql, params)`
 * on the test database, `api.config`, `api.queuePrefix`, and `api.logs()` — every log line the app
 * wrote (JSON strings), for asserting that no secret was logged. Config overrides are environment
 * strings: `startTestApi({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } })`; for fault tests point
 * REDIS_URL at a `startPrivateRedis()` server, or route Postgres through a proxy you can cut with
 * `mapDatabaseUrl` (see redis-outage.spec.ts and http-envelopes.spec.ts). Defaults worth knowing:
 * NODE_ENV=test, WEBHOOK_ALLOW_ANY_HOST=true (fake receivers on http://127.0.0.1), a high auth rate
 * limit, and random JWT/encryption/ingest/fix-link secrets readable from `api.config`.
 * Set TEST_LOGS=1 to also print the app's logs to stderr while debugging.
 */
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Logger } from 'nestjs-pino';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { LogCapture, TEST_REDIS_URL, createTestDatabase, deleteKeysWithPrefix, getFreePort, uniqueQueuePrefix } from '@epitrace/testing';
import { AppModule } from '../../src/app.module';
import { ApiConfig, loadApiConfig } from '../../src/config/api.config';
import { configureHttp } from '../../src/http-setup';

export interface StartTestApiOptions {
  /** Names the database and queue prefix, to find them when debugging. */
  label?: string;
  /** Environment-style overrides of the api config. */
  env?: Record<string, string>;
  /** Lets a test route the app's database connection elsewhere (e.g. through a proxy it can cut). */
  mapDatabaseUrl?: (url: string) => string;
}

/** Request helpers that send the user's bearer token. */
export interface AuthedRequests {
  get(path: string): request.Test;
  post(path: string): request.Test;
  put(path: string): request.Test;
  patch(path: string): request.Test;
  delete(path: string): request.Test;
}

export interface TestUser extends AuthedRequests {
  id: string;
  email: string;
  password: string;
  token: string;
}

export interface TestApi {
  app: INestApplication;
  config: ApiConfig;
  /** `http://127.0.0.1:<port>` */
  url: string;
  queuePrefix: string;
  databaseUrl: string;
  /** An anonymous supertest agent on the running server. */
  request(): ReturnType<typeof request>;
  /** Requests carrying `Authorization: Bearer <token>`. */
  as(token: string): AuthedRequests;
  /** Registers a new user through POST /auth/register (unique email unless given). */
  registerUser(email?: string, password?: string): Promise<TestUser>;
  /** Runs SQL on the test database through the app's own connection pool. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Every log line the app has written so far (raw JSON strings). */
  logs(): string[];
  stop(): Promise<void>;
}

let userCounter = 0;

export async function startTestApi(options: StartTestApiOptions = {}): Promise<TestApi> {
  const label = options.label ?? 'api';
  const db = await createTestDatabase(label);
  const queuePrefix = uniqueQueuePrefix(label);
  const port = await getFreePort();
  const config = loadApiConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: options.mapDatabaseUrl ? options.mapDatabaseUrl(db.url) : db.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    JWT_SECRET: randomBytes(48).toString('base64'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    INGEST_SECRET: randomBytes(32).toString('base64'),
    FIX_LINK_SECRET: randomBytes(48).toString('base64'),
    // Tests register many users from one address; rate limiting has its own test with a low limit.
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    // Fake Slack/Discord receivers listen on http://127.0.0.1.
    WEBHOOK_ALLOW_ANY_HOST: 'true',
    ...options.env,
  });

  const logs = new LogCapture();
  let app: NestExpressApplication | undefined;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, { logDestination: logs }), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.flushLogs();
    configureHttp(app, config);
    await app.listen(port, '127.0.0.1');
  } catch (err) {
    await app?.close().catch(() => undefined);
    await db.drop().catch(() => undefined);
    await deleteKeysWithPrefix(queuePrefix, config.REDIS_URL).catch(() => undefined);
    throw err;
  }
  const started = app;
  const url = `http://127.0.0.1:${port}`;

  const as = (token: string): AuthedRequests => {
    const auth = (t: request.Test) => t.set('Authorization', `Bearer ${token}`);
    return {
      get: (path) => auth(request(url).get(path)),
      post: (path) => auth(request(url).post(path)),
      put: (path) => auth(request(url).put(path)),
      patch: (path) => auth(request(url).patch(path)),
      delete: (path) => auth(request(url).delete(path)),
    };
  };

  return {
    app: started,
    config,
    url,
    queuePrefix,
    databaseUrl: db.url,
    request: () => request(url),
    as,
    async registerUser(email, password = 'correct horse battery staple') {
      const address = email ?? `user${++userCounter}-${randomBytes(3).toString('hex')}@example.com`;
      const res = await request(url).post('/auth/register').send({ email: address, password, rePassword: password });
      if (res.status !== 201) throw new Error(`registerUser failed: ${res.status} ${JSON.stringify(res.body)}`);
      const { token, user } = res.body as { token: string; user: { id: string; email: string } };
      return { id: user.id, email: user.email, password, token, ...as(token) };
    },
    query: (sql, params) => started.get<DataSource>(getDataSourceToken()).query(sql, params),
    logs: () => [...logs.lines],
    async stop() {
      await started.close().catch(() => undefined);
      await db.drop();
      await deleteKeysWithPrefix(queuePrefix, config.REDIS_URL);
    },
  };
}
