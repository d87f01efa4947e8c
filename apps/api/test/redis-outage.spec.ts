import { MonitorScheduler } from '@epitrace/monitor-scheduling';
import { PrivateRedis, startPrivateRedis } from '@epitrace/testing';
import { monitorBody } from './support/fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

/** Postgres is the source of truth for monitors; Redis being down must not lose or refuse a change. */
describe('monitor changes while Redis is unreachable', () => {
  let redis: PrivateRedis;
  let api: TestApi;
  let ann: TestUser;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    api = await startTestApi({ label: 'redisdown', env: { REDIS_URL: redis.url } });
    ann = await api.registerUser();
  });
  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    await api?.stop();
    await redis?.stop();
  });

  it('saves the monitor, answers normally and logs that the schedule awaits repair', async () => {
    const before = (await ann.post('/monitor/create').send(monitorBody({ is_active: true })).expect(201)).body.data;
    expect((await api.app.get(MonitorScheduler).scheduledMonitorIds()).has(before.id)).toBe(true);

    await redis.stop();
    const created = await ann.post('/monitor/create').send(monitorBody({ is_active: true, name: 'During outage' }));
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'During outage', is_active: true });
    expect((await ann.post(`/monitor/pause/${before.id}`)).status).toBe(200);

    const rows = await api.query<{ name: string; is_active: boolean }>('SELECT name, is_active FROM monitors ORDER BY created_at');
    expect(rows).toEqual([
      { name: before.name, is_active: false },
      { name: 'During outage', is_active: true },
    ]);
    const warnings = api.logs().filter((line) => line.includes('the reconciler will repair it'));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });
});

describe('auth rate limit while Redis is unreachable', () => {
  let redis: PrivateRedis;
  let api: TestApi;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    api = await startTestApi({ label: 'redisdownauth', env: { REDIS_URL: redis.url, AUTH_RATE_LIMIT_PER_MINUTE: '2' } });
  });
  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    await api?.stop();
    await redis?.stop();
  });

  it('keeps limiting in the process instead of letting every attempt through', async () => {
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await api.request().post('/auth/login').send({ email: 'x@example.com', password: 'password123' })).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect(api.logs().some((line) => line.includes('counting in this process meanwhile'))).toBe(true);
  });
});
