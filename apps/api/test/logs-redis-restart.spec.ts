import { INGEST_SECRET_HEADER } from '@epitrace/queue-contracts';
import { openSse, PrivateRedis, startPrivateRedis } from '@epitrace/testing';
import { insertFixJob } from './logs-fixtures';
import { startTestApi, TestApi } from './support/test-api';

describe('fix-job log streams when Redis restarts', () => {
  let redis: PrivateRedis;
  let api: TestApi;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    api = await startTestApi({ label: 'logs_redis', env: { REDIS_URL: redis.url } });
  });

  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
  });

  const ingest = (body: unknown) => api.request().post('/logs/code-worker').set(INGEST_SECRET_HEADER, api.config.INGEST_SECRET).send(body as object);

  it('ends live streams after Redis comes back, and the client resumes from the database without gaps or duplicates', async () => {
    const ann = await api.registerUser();
    const job = await insertFixJob(api.query, ann.id);
    const auth = { Authorization: `Bearer ${ann.token}` };
    const first = await openSse(`${api.url}/logs/code-worker/stream?jobId=${job}`, auth);
    await ingest({ message: 'before the restart', jobId: job }).expect(202);
    await first.until((events) => events.some((e) => e.event === 'log'));

    await redis.restartEmpty();
    await ingest({ message: 'during the reconnect', jobId: job }).expect(202);
    // Lines published while the subscriber was away are lost to pub/sub, so the stream is closed for the client to resume.
    await first.ended;

    const lastSeen = first.logs()[first.logs().length - 1].id;
    const resumed = await openSse(`${api.url}/logs/code-worker/stream?jobId=${job}`, { ...auth, 'Last-Event-ID': lastSeen });
    await ingest({ message: 'after the restart', jobId: job }).expect(202);
    await resumed.until((events) => events.filter((e) => e.event === 'log').some((e) => e.data.includes('after the restart')), 20_000);
    resumed.close();

    const all = [...first.logs(), ...resumed.logs()].map((l) => l.message);
    expect(all).toEqual(['before the restart', 'during the reconnect', 'after the restart']);
  });
});
