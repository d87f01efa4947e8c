import { createTestDatabase, getFreePort, uniqueQueuePrefix, deleteKeysWithPrefix, TestDatabase } from '@epitrace/testing';
import { RunningApp, startApp } from './support/app-processes';

describe('the four apps as built', () => {
  let db: TestDatabase;
  const prefix = uniqueQueuePrefix('boot');
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('e2e_boot');
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await db?.drop();
    await deleteKeysWithPrefix(prefix);
  });

  it('each boots against Postgres and Redis, answers /health 200 and exits cleanly on SIGTERM', async () => {
    const env = { DATABASE_URL: db.url, QUEUE_PREFIX: prefix };
    for (const name of ['api', 'monitor-worker', 'analysis-agent', 'code-agent'] as const) {
      apps.push(await startApp(name, await getFreePort(), env));
    }
    for (const app of apps) {
      const body = (await (await fetch(`http://127.0.0.1:${app.port}/health`)).json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 'RUNNING', redis: 'up', app: app.name });
    }
    const codes = await Promise.all(apps.splice(0).map((a) => a.stop('SIGTERM')));
    // Nest runs its shutdown hooks, then re-raises the signal: a clean stop ends by SIGTERM or with 0.
    for (const code of codes) expect([0, 'SIGTERM']).toContain(code);
  });

  it('serves the Swagger UI and its JSON spec', async () => {
    const api = await startApp('api', await getFreePort(), { DATABASE_URL: db.url, QUEUE_PREFIX: prefix });
    apps.push(api);
    expect((await fetch(`http://127.0.0.1:${api.port}/docs`)).status).toBe(200);
    const spec = (await (await fetch(`http://127.0.0.1:${api.port}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(spec.paths['/health']).toBeDefined();
  });
});
