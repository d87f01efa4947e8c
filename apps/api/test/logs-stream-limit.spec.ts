import { openSse, SseConnection, waitFor } from '@epitrace/testing';
import { LogStreamService } from '../src/logs/log-stream.service';
import { insertFixJob } from './logs-fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

const LIMIT = 3;

describe('GET /logs/code-worker/stream: open streams per user', () => {
  let api: TestApi;
  let streams: LogStreamService;
  let ann: TestUser;
  let bob: TestUser;
  let annJob: string;
  let bobJob: string;
  const opened: SseConnection[] = [];

  const open = async (user: TestUser, jobId: string, headers: Record<string, string> = {}) => {
    const connection = await openSse(`${api.url}/logs/code-worker/stream?jobId=${jobId}`, { Authorization: `Bearer ${user.token}`, ...headers });
    opened.push(connection);
    if (connection.status === 200) await connection.until((events) => events[0]?.event === 'connected');
    return connection;
  };
  const openMany = (n: number, user: TestUser, jobId: string) => Promise.all(Array.from({ length: n }, () => open(user, jobId)));
  const slotsFreed = (user: TestUser, left: number) => waitFor(() => streams.openStreamsOf(user.id) === left || null, { what: `${user.email} to hold ${left} streams` });

  beforeAll(async () => {
    api = await startTestApi({ label: 'logs-limit', env: { LOG_STREAM_MAX_PER_USER: String(LIMIT) } });
    streams = api.app.get(LogStreamService);
    ann = await api.registerUser();
    bob = await api.registerUser();
    annJob = await insertFixJob(api.query, ann.id);
    bobJob = await insertFixJob(api.query, bob.id);
  });

  afterEach(async () => {
    for (const s of opened.splice(0)) s.close();
    await slotsFreed(ann, 0);
    await slotsFreed(bob, 0);
  });

  afterAll(() => api?.stop());

  it('refuses the stream beyond the limit with 429 {error} and opens a new one once a stream is closed', async () => {
    const held = await openMany(LIMIT, ann, annJob);
    expect(held.map((s) => s.status)).toEqual(Array(LIMIT).fill(200));

    const refused = await open(ann, annJob);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({ error: expect.stringContaining(`at most ${LIMIT} per user`) });
    expect(streams.openStreamsOf(ann.id)).toBe(LIMIT);

    // The limit is per user: another user is not affected.
    expect((await open(bob, bobJob)).status).toBe(200);

    held[0].close();
    await slotsFreed(ann, LIMIT - 1);
    const reopened = await open(ann, annJob);
    expect(reopened.status).toBe(200);
    expect((await open(ann, annJob)).status).toBe(429);
  });

  it('counts streams opened with a stream token like those opened with a bearer token', async () => {
    await openMany(LIMIT - 1, ann, annJob);
    const { token } = (await ann.post('/logs/code-worker/stream-token').expect(201)).body.data as { token: string };
    const byToken = await openSse(`${api.url}/logs/code-worker/stream?token=${encodeURIComponent(token)}`);
    opened.push(byToken);
    expect(byToken.status).toBe(200);
    expect((await open(ann, annJob)).status).toBe(429);
  });

  it('frees the slots of clients whose connections are reset without a goodbye', async () => {
    const held = await openMany(LIMIT, ann, annJob);
    for (const s of held) s.raw.req.socket?.resetAndDestroy();
    await slotsFreed(ann, 0);
    const again = await openMany(LIMIT, ann, annJob);
    expect(again.map((s) => s.status)).toEqual(Array(LIMIT).fill(200));
    expect((await open(ann, annJob)).status).toBe(429);
  });

  it('takes no slot for a request that is refused or fails before streaming', async () => {
    await openMany(LIMIT - 1, ann, annJob);
    expect((await open(ann, annJob, { 'Last-Event-ID': 'abc' })).status).toBe(422);
    expect((await open(ann, bobJob)).status).toBe(404);
    expect(streams.openStreamsOf(ann.id)).toBe(LIMIT - 1);
    expect((await open(ann, annJob)).status).toBe(200);
    expect((await open(ann, annJob)).status).toBe(429);
    expect(streams.openStreamsOf(ann.id)).toBe(LIMIT);
  });
});
