import { MonitorScheduler } from '@epitrace/monitor-scheduling';
import { fakeGithubToken, monitorBody } from './support/fixtures';
import { startTestApi, TestApi } from './support/test-api';

describe('GET /dev/reset-db when enabled in development', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ label: 'devreset', env: { NODE_ENV: 'development', DEV_RESET_DB_ENABLED: 'true' } });
  });
  afterAll(() => api?.stop());

  it('empties every application table and removes the monitor schedules it would orphan', async () => {
    const ann = await api.registerUser();
    const { body } = await ann.post('/monitor/create').send(monitorBody({ is_active: true })).expect(201);
    await ann.post('/github-token').send({ access_token: fakeGithubToken() }).expect(201);
    const scheduler = api.app.get(MonitorScheduler);
    expect((await scheduler.scheduledMonitorIds()).has(body.data.id)).toBe(true);

    const res = await api.request().get('/dev/reset-db').expect(200);
    expect(res.body).toEqual({ success: true, message: 'Database reset', tables: expect.arrayContaining(['users', 'monitors']), removed_schedules: 1 });
    expect(res.body.tables).not.toContain('migrations');
    for (const table of ['users', 'monitors', 'github_tokens', 'webhooks', 'monitor_checks']) {
      expect(await api.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }]);
    }
    expect((await api.query('SELECT count(*)::int AS n FROM migrations'))[0]['n']).toBeGreaterThan(0);
    expect((await scheduler.scheduledMonitorIds()).size).toBe(0);
    await ann.get('/monitor').expect(401);
  });
});

describe('GET /dev/reset-db when not enabled', () => {
  it('is a 404 in development without DEV_RESET_DB_ENABLED, and in production-like modes even with it', async () => {
    for (const env of [{ NODE_ENV: 'development', DEV_RESET_DB_ENABLED: 'false' }, { NODE_ENV: 'test', DEV_RESET_DB_ENABLED: 'true' }]) {
      const api = await startTestApi({ label: 'devresetoff', env });
      try {
        const ann = await api.registerUser();
        const res = await api.request().get('/dev/reset-db');
        expect({ env, status: res.status, body: res.body }).toEqual({ env, status: 404, body: { error: 'Not found' } });
        expect((await api.query('SELECT count(*)::int AS n FROM users'))[0]['n']).toBe(1);
        await ann.get('/monitor').expect(200);
      } finally {
        await api.stop();
      }
    }
  });
});
