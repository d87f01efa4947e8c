import { DataSource } from 'typeorm';
import { Incident, Monitor, User, buildDataSourceOptions } from '@epitrace/entities';
import { createTestDatabase, TestDatabase } from './test-database';

describe('a test database (real Postgres, every migration applied)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('entities');
    ds = await new DataSource(buildDataSourceOptions({ url: db.url, poolSize: 2 })).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function makeMonitor(): Promise<Monitor> {
    const user = await ds.getRepository(User).save({ email: `u${Date.now()}${Math.random()}@example.com`, passwordHash: 'x' });
    return ds.getRepository(Monitor).save({ userId: user.id, name: 'm', url: 'http://127.0.0.1/', checkInterval: 30, timeout: 5 });
  }

  it('applies the documented monitor defaults', async () => {
    const monitor = await ds.getRepository(Monitor).findOneByOrFail({ id: (await makeMonitor()).id });
    expect(monitor).toMatchObject({
      method: 'GET',
      isActive: false,
      status: null,
      failureThreshold: 3,
      recoveryThreshold: 2,
      expectedStatusRanges: [{ min: 200, max: 399 }],
      keywordMode: 'present',
    });
  });

  it('allows only one open incident per monitor, and a new one after resolving', async () => {
    const monitor = await makeMonitor();
    const incidents = ds.getRepository(Incident);
    const open = await incidents.save({ monitorId: monitor.id, userId: monitor.userId, openedAt: new Date() });
    await expect(incidents.insert({ monitorId: monitor.id, userId: monitor.userId, openedAt: new Date() })).rejects.toThrow(
      /uq_incidents_one_open_per_monitor/,
    );
    await incidents.update(open.id, { state: 'resolved', resolvedAt: new Date() });
    await expect(incidents.insert({ monitorId: monitor.id, userId: monitor.userId, openedAt: new Date() })).resolves.toBeDefined();
  });

  it('stores columns in snake_case as the API contract names them', async () => {
    const columns = await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'monitors'`);
    const names = columns.map((c: { column_name: string }) => c.column_name);
    expect(names).toEqual(expect.arrayContaining(['user_id', 'repo_link', 'request_header', 'check_interval', 'last_checked_at']));
  });
});
