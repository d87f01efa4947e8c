import { INGEST_SECRET_HEADER } from '@epitrace/queue-contracts';
import { openSse, SseConnection, waitFor } from '@epitrace/testing';
import { LogRetentionService } from '../src/logs/log-retention.service';
import { LogStreamService } from '../src/logs/log-stream.service';
import { insertFixJob } from './logs-fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

describe('fix-job logs: ingest, history and the SSE stream', () => {
  let api: TestApi;
  let ann: TestUser;
  let bob: TestUser;
  let annJob: string;
  let annOtherJob: string;
  let bobJob: string;
  const streams: SseConnection[] = [];

  const ingest = (body: unknown, secret: string | null = api.config.INGEST_SECRET) => {
    const req = api.request().post('/logs/code-worker');
    if (secret !== null) req.set(INGEST_SECRET_HEADER, secret);
    return req.send(body as object);
  };
  const stream = async (query: string, headers: Record<string, string> = {}) => {
    const connection = await openSse(`${api.url}/logs/code-worker/stream${query}`, headers);
    streams.push(connection);
    return connection;
  };
  const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const logCount = (n: number) => (events: { event: string }[]) => events.filter((e) => e.event === 'log').length >= n;

  beforeAll(async () => {
    api = await startTestApi({ label: 'logs', env: { LOG_STREAM_HEARTBEAT_MS: '150', LOG_MAX_BATCH: '600', LOG_STREAM_MAX_BUFFER_BYTES: '65536', BODY_LIMIT: '4mb' } });
    ann = await api.registerUser();
    bob = await api.registerUser();
    annJob = await insertFixJob(api.query, ann.id);
    annOtherJob = await insertFixJob(api.query, ann.id);
    bobJob = await insertFixJob(api.query, bob.id);
  });

  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  afterAll(() => api?.stop());

  describe('POST /logs/code-worker', () => {
    it('refuses a request without the ingest secret or with a wrong one with 401 {error}', async () => {
      const missing = await ingest({ message: 'hello', jobId: annJob }, null).expect(401);
      expect(missing.body).toEqual({ error: expect.any(String) });
      await ingest({ message: 'hello', jobId: annJob }, 'not-the-secret').expect(401);
      const rows = await api.query(`SELECT count(*)::int AS n FROM job_log_entries`);
      expect(rows[0]).toEqual({ n: 0 });
    });

    it('accepts one entry or a batch with 202 and stores them in order with the job owner', async () => {
      const one = await ingest({ message: 'cloning acme/shop', level: 'info', stage: 'cloning', category: 'git', jobId: annJob, repo: 'https://github.com/acme/shop' }).expect(202);
      expect(one.body).toEqual({ success: true, accepted: 1 });
      const batch = await ingest([
        { message: 'running baseline tests', stage: 'baseline-tests', jobId: annJob },
        { message: '3 tests failed', level: 'warn', stage: 'baseline-tests', jobId: annJob },
      ]).expect(202);
      expect(batch.body).toEqual({ success: true, accepted: 2 });
      const rows = await api.query<{ message: string; user_id: string }>(`SELECT message, user_id FROM job_log_entries WHERE job_id = $1 ORDER BY id`, [annJob]);
      expect(rows.map((r) => r.message)).toEqual(['cloning acme/shop', 'running baseline tests', '3 tests failed']);
      expect(new Set(rows.map((r) => r.user_id))).toEqual(new Set([ann.id]));
    });

    it('answers 422 with paths for a missing message, an unknown level, a bad jobId, unknown fields and oversize input', async () => {
      const cases: Array<[unknown, (string | number)[]]> = [
        [{ level: 'info' }, ['message']],
        [{ message: 'x', level: 'loud' }, ['level']],
        [{ message: 'x', jobId: 'job-1' }, ['jobId']],
        [{ message: 'x', colour: 'red' }, []],
        [{ message: 'x'.repeat(api.config.LOG_MAX_MESSAGE_LENGTH + 1) }, ['message']],
        [[{ message: 'ok' }, { nope: true }], [1]],
        [Array.from({ length: api.config.LOG_MAX_BATCH + 1 }, () => ({ message: 'x' })), []],
        [[], []],
      ];
      for (const [body, path] of cases) {
        const res = await ingest(body).expect(422);
        expect(res.body.success).toBe(false);
        expect(res.body.errors[0].path.slice(0, path.length)).toEqual(path);
      }
    });

    it('redacts credentials and replaces NUL bytes in a line before it is stored', async () => {
      const job = await insertFixJob(api.query, ann.id);
      await ingest({ message: 'pushing with ghp_abcdefghijklmnopqrstuvwxyz0123456789', jobId: job }).expect(202);
      await ingest({ message: `binary${String.fromCharCode(0)}output`, jobId: job }).expect(202);
      const rows = await api.query<{ message: string }>(`SELECT message FROM job_log_entries WHERE job_id = $1 ORDER BY id`, [job]);
      expect(rows.map((r) => r.message)).toEqual(['pushing with [REDACTED]', 'binary\uFFFDoutput']);
    });
  });

  describe('GET /logs/code-worker (history)', () => {
    it("returns the job's lines oldest first in the contract's entry shape, pages with after=, and hides other users' jobs", async () => {
      const res = await ann.get(`/logs/code-worker?jobId=${annJob}`).expect(200);
      expect(res.body.success).toBe(true);
      const entries = res.body.data as Array<Record<string, unknown>>;
      expect(entries.map((e) => e.message)).toEqual(['cloning acme/shop', 'running baseline tests', '3 tests failed']);
      expect(entries[0]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        ts: expect.any(String),
        worker: 'code_queue',
        level: 'info',
        stage: 'cloning',
        category: 'git',
        jobId: annJob,
        repo: 'https://github.com/acme/shop',
        message: 'cloning acme/shop',
        pretty: expect.stringContaining('INFO  [cloning/git] cloning acme/shop'),
      });
      const page = await ann.get(`/logs/code-worker?jobId=${annJob}&after=${entries[0].id}&limit=1`).expect(200);
      expect(page.body.data.map((e: { message: string }) => e.message)).toEqual(['running baseline tests']);

      await bob.get(`/logs/code-worker?jobId=${annJob}`).expect(404);
      await api.request().get(`/logs/code-worker?jobId=${annJob}`).expect(401);
      await ann.get(`/logs/code-worker?jobId=not-a-uuid`).expect(422);
    });
  });

  describe('GET /logs/code-worker/stream', () => {
    it("sends connected with the filter, replays the job's history with an id on every log event, then live lines", async () => {
      const s = await stream(`?jobId=${annJob}`, bearer(ann));
      expect(s.status).toBe(200);
      expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
      await s.until(logCount(3));
      expect(s.events[0].event).toBe('connected');
      expect(JSON.parse(s.events[0].data)).toEqual({ success: true, message: expect.any(String), filters: { jobId: annJob } });

      await ingest({ message: 'applying the fix', stage: 'fixing', jobId: annJob }).expect(202);
      await s.until(logCount(4));
      const logs = s.events.filter((e) => e.event === 'log');
      for (const e of logs) expect(e.id).toBe(JSON.parse(e.data).id);
      expect(s.logs().map((l) => l.message)).toEqual(['cloning acme/shop', 'running baseline tests', '3 tests failed', 'applying the fix']);
    });

    it('resumes after Last-Event-ID (header or lastEventId query) without duplicates or gaps', async () => {
      const all = (await ann.get(`/logs/code-worker?jobId=${annJob}`).expect(200)).body.data as Array<{ id: string; message: string }>;
      const resumeAfter = all[1].id;
      const byHeader = await stream(`?jobId=${annJob}`, { ...bearer(ann), 'Last-Event-ID': resumeAfter });
      const byQuery = await stream(`?jobId=${annJob}&lastEventId=${resumeAfter}`, bearer(ann));
      for (const s of [byHeader, byQuery]) await s.until(logCount(all.length - 2));
      await ingest({ message: 'after the resume', jobId: annJob }).expect(202);
      const expected = [...all.slice(2).map((e) => e.message), 'after the resume'];
      for (const s of [byHeader, byQuery]) {
        await s.until(logCount(expected.length));
        expect(s.logs().map((l) => l.message)).toEqual(expected);
      }
      const bad = await stream(`?jobId=${annJob}`, { ...bearer(ann), 'Last-Event-ID': 'abc' });
      expect(bad.status).toBe(422);
    });

    it("filters by jobId, and without it streams every one of the user's jobs but never another user's", async () => {
      const onlyOther = await stream(`?jobId=${annOtherJob}`, bearer(ann));
      const everything = await stream('', bearer(ann));
      await Promise.all([onlyOther.until((e) => e[0]?.event === 'connected'), everything.until((e) => e[0]?.event === 'connected')]);
      const before = everything.logs().length;
      await ingest([
        { message: 'bob line', jobId: bobJob },
        { message: 'other job line', jobId: annOtherJob },
        { message: 'main job line', jobId: annJob },
      ]).expect(202);
      await everything.until(logCount(before + 2));
      await onlyOther.until(logCount(1));
      await ingest({ message: 'marker', jobId: annOtherJob }).expect(202);
      await onlyOther.until(logCount(2));
      expect(onlyOther.logs().map((l) => l.message)).toEqual(['other job line', 'marker']);
      const messages = everything.logs().map((l) => l.message);
      expect(messages).toEqual(expect.arrayContaining(['other job line', 'main job line']));
      expect(messages).not.toContain('bob line');
      expect(JSON.parse(everything.events[0].data).filters).toEqual({ jobId: null });
    });

    it('sends heartbeat events with a timestamp at the configured interval', async () => {
      const s = await stream(`?jobId=${annJob}`, bearer(ann));
      await s.until((events) => events.filter((e) => e.event === 'heartbeat').length >= 2);
      const [beat] = s.events.filter((e) => e.event === 'heartbeat');
      expect(beat.id).toBeNull();
      expect(new Date(JSON.parse(beat.data).ts).toString()).not.toBe('Invalid Date');
    });

    it("requires a JWT or a stream token, and answers 404 for another user's job", async () => {
      const anonymous = await stream(`?jobId=${annJob}`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({ error: expect.any(String) });
      expect((await stream(`?jobId=${annJob}`, { Authorization: 'Bearer nonsense' })).status).toBe(401);
      const foreign = await stream(`?jobId=${annJob}`, bearer(bob));
      expect(foreign.status).toBe(404);
      expect(await foreign.json()).toEqual({ error: 'Fix job not found' });
      expect((await stream(`?jobId=00000000-0000-4000-8000-000000000000`, bearer(ann))).status).toBe(404);
    });

    it('accepts a short-lived stream token in the query, which is useless as a login token or with the wrong key', async () => {
      const issued = await ann.post('/logs/code-worker/stream-token').expect(201);
      const { token, expires_at } = issued.body.data as { token: string; expires_at: string };
      expect(new Date(expires_at).getTime()).toBeGreaterThan(Date.now());
      const s = await stream(`?jobId=${annJob}&token=${encodeURIComponent(token)}`);
      expect(s.status).toBe(200);
      await s.until(logCount(1));

      await api.as(token).get(`/logs/code-worker?jobId=${annJob}`).expect(401);
      // A login JWT is not accepted in the URL: URLs end up in proxy logs and browser history.
      expect((await stream(`?jobId=${annJob}&token=${encodeURIComponent(ann.token)}`)).status).toBe(401);
      await api.request().post('/logs/code-worker/stream-token').expect(401);
    });

    it('never streams lines of a job nobody owns, and keeps them out of every history', async () => {
      const unknownJob = '11111111-1111-4111-8111-111111111111';
      const s = await stream('', bearer(ann));
      await s.until((e) => e[0]?.event === 'connected');
      const before = s.logs().length;
      await ingest([{ message: 'orphan line', jobId: unknownJob }, { message: 'no job at all' }, { message: 'visible', jobId: annJob }]).expect(202);
      await s.until(logCount(before + 1));
      expect(s.logs().map((l) => l.message)).not.toEqual(expect.arrayContaining(['orphan line']));
      const stored = await api.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_log_entries WHERE user_id IS NULL`);
      expect(stored[0].n).toBe(2);
    });

    it('delivers every line exactly once, in id order, to a client that connects while many ingests race', async () => {
      const job = await insertFixJob(api.query, ann.id);
      const senders = Array.from({ length: 8 }, (_, sender) =>
        (async () => {
          for (let i = 0; i < 15; i++) {
            await ingest([{ message: `s${sender}-${i}-a`, jobId: job }, { message: `s${sender}-${i}-b`, jobId: job }]).expect(202);
          }
        })(),
      );
      await new Promise((r) => setTimeout(r, 30));
      const s = await stream(`?jobId=${job}`, bearer(ann));
      await Promise.all(senders);
      await s.until(logCount(8 * 15 * 2), 20_000);
      const ids = s.logs().map((l) => BigInt(l.id));
      const stored = (await api.query<{ id: string }>(`SELECT id::text AS id FROM job_log_entries WHERE job_id = $1 ORDER BY job_log_entries.id`, [job])).map((r) => BigInt(r.id));
      expect(ids).toEqual(stored);
    });

    it('drops a client that stops reading instead of buffering for it, and the client resumes without gaps', async () => {
      const job = await insertFixJob(api.query, ann.id);
      const streamsService = api.app.get(LogStreamService);
      const slow = await stream(`?jobId=${job}`, bearer(ann));
      await slow.until((e) => e[0]?.event === 'connected');
      slow.pause();
      const line = 'y'.repeat(4000);
      for (let batch = 0; batch < 12; batch++) {
        await ingest(Array.from({ length: 500 }, (_, i) => ({ message: `${batch}-${i} ${line}`, jobId: job }))).expect(202);
      }
      await slow.ended;
      await waitFor(() => streamsService.openStreams === 0, { what: 'the slow stream to be dropped' });
      expect(slow.logs().length).toBeLessThan(6000);

      const received = slow.logs();
      const last = received.length ? received[received.length - 1].id : '0';
      const resumed = await stream(`?jobId=${job}`, { ...bearer(ann), 'Last-Event-ID': last });
      await resumed.until(logCount(6000 - received.length), 30_000);
      const all = [...received, ...resumed.logs()].map((l) => l.message.split(' ')[0]);
      expect(all).toEqual(Array.from({ length: 12 }, (_, b) => Array.from({ length: 500 }, (_, i) => `${b}-${i}`)).flat());
    });
  });

  it('deletes lines older than the retention period', async () => {
    const job = await insertFixJob(api.query, ann.id);
    const old = new Date(Date.now() - (api.config.LOG_RETENTION_DAYS + 1) * 86_400_000).toISOString();
    await ingest([{ message: 'ancient', jobId: job, ts: old }, { message: 'recent', jobId: job }]).expect(202);
    const deleted = await api.app.get(LogRetentionService).sweep();
    expect(deleted).toBeGreaterThanOrEqual(1);
    const rows = await api.query<{ message: string }>(`SELECT message FROM job_log_entries WHERE job_id = $1`, [job]);
    expect(rows.map((r) => r.message)).toEqual(['recent']);
  });
});
