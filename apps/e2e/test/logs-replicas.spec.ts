import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { INGEST_SECRET_HEADER } from '@epitrace/queue-contracts';
import { createTestDatabase, deleteKeysWithPrefix, getFreePort, openSse, SseConnection, TestDatabase, uniqueQueuePrefix } from '@epitrace/testing';
import { ApiUser } from './support/api-user';
import { RunningApp, deploymentSecrets, startApp } from './support/app-processes';

describe('fix-job logs across two api processes', () => {
  let db: TestDatabase;
  let pg: Client;
  const prefix = uniqueQueuePrefix('logs-replicas');
  const apps: RunningApp[] = [];
  const streams: SseConnection[] = [];
  const secrets = deploymentSecrets();

  beforeAll(async () => {
    db = await createTestDatabase('e2e_logs_replicas');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const env = { DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_STREAM_HEARTBEAT_MS: '500', ...secrets };
    apps.push(await startApp('api', await getFreePort(), env), await startApp('api', await getFreePort(), env));
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    await Promise.all(apps.map((a) => a.stop()));
    await pg?.end();
    await db?.drop();
    await deleteKeysWithPrefix(prefix);
  });

  const base = (app: RunningApp) => `http://127.0.0.1:${app.port}`;

  const register = (app: RunningApp) => ApiUser.register(base(app), `replica-${randomBytes(4).toString('hex')}@example.com`);

  async function insertFixJob(userId: string): Promise<string> {
    const [monitorId, incidentId, jobId] = [randomUUID(), randomUUID(), randomUUID()];
    await pg.query(
      `INSERT INTO monitors (id, user_id, name, url, method, is_active, check_interval, timeout) VALUES ($1, $2, 'Shop', 'https://shop.example.com', 'GET', false, 60, 10)`,
      [monitorId, userId],
    );
    await pg.query(`INSERT INTO incidents (id, monitor_id, user_id, state, opened_at) VALUES ($1, $2, $3, 'open', now())`, [incidentId, monitorId, userId]);
    await pg.query(`INSERT INTO fix_jobs (id, incident_id, monitor_id, user_id, status) VALUES ($1, $2, $3, $4, 'fixing')`, [jobId, incidentId, monitorId, userId]);
    return jobId;
  }

  async function ingest(app: RunningApp, body: unknown): Promise<void> {
    const res = await fetch(`${base(app)}/logs/code-worker`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INGEST_SECRET_HEADER]: secrets.INGEST_SECRET },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
  }

  it('delivers lines ingested on replica A to a stream on replica B, and a client resumes on A after the last id it saw on B', async () => {
    const [a, b] = apps;
    const user = await register(a);
    const job = await insertFixJob(user.id);
    const auth = { Authorization: `Bearer ${user.jwt}` };

    const onB = await openSse(`${base(b)}/logs/code-worker/stream?jobId=${job}`, auth);
    streams.push(onB);
    expect(onB.status).toBe(200);
    await onB.until((events) => events[0]?.event === 'connected');

    await ingest(a, [
      { message: 'cloning', stage: 'cloning', jobId: job },
      { message: 'fixing', stage: 'fixing', jobId: job },
    ]);
    await ingest(a, { message: 'testing', stage: 'testing', jobId: job });
    await onB.until((events) => events.filter((e) => e.event === 'log').length >= 3);
    expect(onB.logs().map((l) => l.message)).toEqual(['cloning', 'fixing', 'testing']);
    const lastSeen = onB.logs()[2].id;
    onB.close();

    // The replica B "goes away"; lines keep coming in on A; the client reconnects to A.
    await ingest(a, [
      { message: 'pushing', stage: 'pushing', jobId: job },
      { message: 'opening PR', stage: 'opening-pr', jobId: job },
    ]);
    const onA = await openSse(`${base(a)}/logs/code-worker/stream?jobId=${job}`, { ...auth, 'Last-Event-ID': lastSeen });
    streams.push(onA);
    await onA.until((events) => events.filter((e) => e.event === 'log').length >= 2);
    await ingest(b, { message: 'done', stage: 'done', jobId: job });
    await onA.until((events) => events.filter((e) => e.event === 'log').length >= 3);
    expect(onA.logs().map((l) => l.message)).toEqual(['pushing', 'opening PR', 'done']);
  });

  it("keeps one user's lines away from another user's stream on the other replica", async () => {
    const [a, b] = apps;
    const owner = await register(a);
    const stranger = await register(b);
    const job = await insertFixJob(owner.id);
    const strangerJob = await insertFixJob(stranger.id);

    const strangers = await openSse(`${base(b)}/logs/code-worker/stream`, { Authorization: `Bearer ${stranger.jwt}` });
    streams.push(strangers);
    const foreign = await openSse(`${base(b)}/logs/code-worker/stream?jobId=${job}`, { Authorization: `Bearer ${stranger.jwt}` });
    expect(foreign.status).toBe(404);

    await ingest(a, { message: 'private line', jobId: job });
    await ingest(a, { message: 'stranger line', jobId: strangerJob });
    await strangers.until((events) => events.some((e) => e.event === 'log'));
    expect(strangers.logs().map((l) => l.message)).toEqual(['stranger line']);
  });
});
