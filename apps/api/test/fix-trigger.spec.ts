import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { redisOptionsFromUrl } from '@epitrace/config';
import { FixLinkService, signFixToken } from '@epitrace/fix-links';
import { QUEUES, jobIds } from '@epitrace/queue-contracts';
import { SecretCipher } from '@epitrace/secrets';
import { TEST_REDIS_URL } from '@epitrace/testing';
import { FixStatusTokens } from '../src/fix/fix-status-tokens';
import { TestApi, TestUser, startTestApi } from './support/test-api';

const GITHUB_TOKEN = 'ghp_fixTriggerSpecToken0123456789abcdef';

describe('auto-fix trigger and fix-job routes', () => {
  let api: TestApi;
  let owner: TestUser;
  let stranger: TestUser;
  let codeQueue: Queue;
  let links: FixLinkService;
  const issuedTokens: string[] = [];

  async function seedIncident(userId: string): Promise<{ incidentId: string; monitorId: string; tokenId: string }> {
    const monitorId = randomUUID();
    await api.query(
      `INSERT INTO monitors (id, user_id, name, url, repo_link, method, is_active, check_interval, timeout)
       VALUES ($1, $2, 'checkout', 'https://shop.example.test/api/checkout', 'https://github.com/acme/shop', 'POST', true, 60, 10)`,
      [monitorId, userId],
    );
    const tokenId = randomUUID();
    await api.query(`INSERT INTO github_tokens (id, user_id, token_ciphertext, token_last4, is_active) VALUES ($1, $2, $3, 'cdef', true)`, [
      tokenId,
      userId,
      new SecretCipher(api.config.ENCRYPTION_KEY).encrypt(GITHUB_TOKEN),
    ]);
    await api.query(`INSERT INTO monitor_github_tokens (monitor_id, github_token_id) VALUES ($1, $2)`, [monitorId, tokenId]);
    const incidentId = randomUUID();
    await api.query(
      `INSERT INTO incidents (id, monitor_id, user_id, state, opened_at, cause, status_code, analysis_status, analysis)
       VALUES ($1, $2, $3, 'open', now(), 'HTTP 500 <b>boom</b>', 500, 'completed', $4)`,
      [incidentId, monitorId, userId, JSON.stringify({ summary: 'The total starts at 1.', root_cause: 'x', evidence: [], suspected_files: [], proposed_fix: 'y', confidence: 'high' })],
    );
    return { incidentId, monitorId, tokenId };
  }

  async function newLink(incidentId: string, now?: Date): Promise<string> {
    const link = await links.createFixLink(incidentId, now);
    issuedTokens.push(link.token);
    return link.token;
  }

  const fixJobs = (incidentId: string) => api.query<{ id: string; status: string }>('SELECT id, status FROM fix_jobs WHERE incident_id = $1 ORDER BY created_at', [incidentId]);
  const usedAt = async (token: string) => {
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).jti as string;
    return (await api.query<{ used_at: Date | null }>('SELECT used_at FROM fix_trigger_tokens WHERE id = $1', [jti]))[0]?.used_at ?? null;
  };

  beforeAll(async () => {
    api = await startTestApi({ label: 'fix-trigger' });
    owner = await api.registerUser();
    stranger = await api.registerUser();
    links = api.app.get(FixLinkService);
    codeQueue = new Queue(QUEUES.CODE, { connection: redisOptionsFromUrl(TEST_REDIS_URL), prefix: api.queuePrefix });
  });

  afterAll(async () => {
    await codeQueue?.close();
    await api?.stop();
  });

  it('answers a plain GET, as link-preview bots make, with a confirmation page and starts nothing', async () => {
    const { incidentId } = await seedIncident(owner.id);
    const token = await newLink(incidentId);
    const res = await api.request().get(`/alert/trigger-agent?token=${encodeURIComponent(token)}`).set('User-Agent', 'Slackbot-LinkExpanding 1.0').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<form method="post" action="/alert/trigger-agent">');
    expect(res.text).toContain(`name="token" value="${token}"`);
    expect(res.text).toContain('Start auto-fix');
    expect(res.text).toContain('HTTP 500 &lt;b&gt;boom&lt;/b&gt;');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    await api.request().head(`/alert/trigger-agent?token=${encodeURIComponent(token)}`).expect(200);
    expect(await fixJobs(incidentId)).toEqual([]);
    expect(await usedAt(token)).toBeNull();
    expect(await codeQueue.getJobCounts('waiting', 'active', 'delayed')).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
  });

  it('starts the fix when the page button posts the token: one queued job, ids only on code_queue, token used', async () => {
    const { incidentId } = await seedIncident(owner.id);
    const token = await newLink(incidentId);
    const res = await api.request().post('/alert/trigger-agent').type('form').send({ token }).expect(202);
    expect(res.text).toContain('Auto-fix started');
    const [job] = await fixJobs(incidentId);
    expect(job.status).toBe('queued');
    expect(res.text).toContain(job.id);
    expect(res.text).toContain(`${api.url}/dashboard#job=${job.id}`);
    const queued = await codeQueue.getJob(jobIds.codeJob(job.id));
    expect(queued?.name).toBe('code-job');
    expect(queued?.data).toEqual({ incidentId, fixJobId: job.id });
    expect(JSON.stringify(queued?.data)).not.toContain(token);
    expect(await usedAt(token)).not.toBeNull();
  });

  it('refuses a second click on a used link with 410, showing the job it started, and starts nothing more', async () => {
    const { incidentId } = await seedIncident(owner.id);
    const token = await newLink(incidentId);
    await api.request().post('/alert/trigger-agent').type('form').send({ token }).expect(202);
    const [job] = await fixJobs(incidentId);
    const page = await api.request().post('/alert/trigger-agent').type('form').send({ token }).expect(410);
    expect(page.text).toContain('already been used');
    expect(page.text).toContain(job.id);
    const json = await api.request().post(`/alert/trigger-agent?token=${encodeURIComponent(token)}`).set('Accept', 'application/json').expect(410);
    expect(json.body).toMatchObject({ reason: 'used', fix_job: { id: job.id, status: 'queued' } });
    expect(json.body.error).toMatch(/already been used/);
    await api.request().get(`/alert/trigger-agent?token=${encodeURIComponent(token)}`).expect(410);
    expect(await fixJobs(incidentId)).toHaveLength(1);
  });

  it('refuses expired, tampered, malformed, unknown and missing tokens with a clear page or JSON', async () => {
    const { incidentId } = await seedIncident(owner.id);
    const expired = await newLink(incidentId, new Date(Date.now() - 25 * 3600_000));
    const page = await api.request().get(`/alert/trigger-agent?token=${encodeURIComponent(expired)}`).expect(410);
    expect(page.text).toContain('Link expired');
    const json = await api.request().post('/alert/trigger-agent').set('Accept', 'application/json').send({ token: expired }).expect(410);
    expect(json.body).toEqual({ error: expect.stringMatching(/expired/), reason: 'expired' });

    const valid = await newLink(incidentId);
    const [v, body, signature] = valid.split('.');
    const tampered = `${v}.${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const forged = await api.request().post('/alert/trigger-agent').type('form').send({ token: tampered }).expect(403);
    expect(forged.text).toContain('Invalid link');
    const malformed = await api.request().get('/alert/trigger-agent?token=not-a-token').set('Accept', 'application/json').expect(400);
    expect(malformed.body).toEqual({ error: expect.stringMatching(/not valid/), reason: 'invalid' });

    const unknown = signFixToken({ jti: randomUUID(), incidentId, expiresAt: new Date(Date.now() + 3600_000) }, api.config.FIX_LINK_SECRET);
    await api.request().get(`/alert/trigger-agent?token=${encodeURIComponent(unknown)}`).expect(404);
    const missing = await api.request().get('/alert/trigger-agent').set('Accept', 'application/json').expect(400);
    expect(missing.body.reason).toBe('missing-token');
    await api.request().post('/alert/trigger-agent').expect(400);

    expect(await fixJobs(incidentId)).toEqual([]);
    expect(await usedAt(valid)).toBeNull();
  });

  it('refuses a link whose monitor no longer has an active GitHub token, and leaves the token usable', async () => {
    const { incidentId, tokenId } = await seedIncident(owner.id);
    const token = await newLink(incidentId);
    await api.query('UPDATE github_tokens SET is_active = false WHERE id = $1', [tokenId]);
    const page = await api.request().get(`/alert/trigger-agent?token=${encodeURIComponent(token)}`).expect(409);
    expect(page.text).toContain('Auto-fix not available');
    await api.request().post('/alert/trigger-agent').type('form').send({ token }).expect(409);
    expect(await usedAt(token)).toBeNull();
    await api.query('UPDATE github_tokens SET is_active = true WHERE id = $1', [tokenId]);
    await api.request().post('/alert/trigger-agent').type('form').send({ token }).expect(202);
  });

  it('shows the running job instead of starting another when a second link for the same incident is used, even concurrently', async () => {
    const { incidentId } = await seedIncident(owner.id);
    const tokens = await Promise.all([newLink(incidentId), newLink(incidentId), newLink(incidentId)]);
    const results = await Promise.all(tokens.map((token) => api.request().post('/alert/trigger-agent').set('Accept', 'application/json').send({ token })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 202]);
    const ids = new Set(results.map((r) => r.body.data.id));
    expect(ids.size).toBe(1);
    expect(await fixJobs(incidentId)).toHaveLength(1);
  });

  it('lets the owner start a fix through the API idempotently, retry a failed one explicitly, and read the jobs', async () => {
    const { incidentId } = await seedIncident(owner.id);
    await api.request().post(`/incidents/${incidentId}/fix`).expect(401);
    await stranger.post(`/incidents/${incidentId}/fix`).expect(404, { error: 'Incident not found' });
    await owner.post('/incidents/not-a-uuid/fix').expect(404);

    const first = await owner.post(`/incidents/${incidentId}/fix`).expect(202);
    expect(first.body).toMatchObject({ success: true, message: 'Auto-fix started', data: { incident_id: incidentId, status: 'queued', user_id: owner.id } });
    const again = await owner.post(`/incidents/${incidentId}/fix`).expect(200);
    expect(again.body.data.id).toBe(first.body.data.id);

    await api.query(`UPDATE fix_jobs SET status = 'failed', error = 'tests could not run' WHERE id = $1`, [first.body.data.id]);
    const retry = await owner.post(`/incidents/${incidentId}/fix`).expect(202);
    expect(retry.body.data.id).not.toBe(first.body.data.id);
    expect(await codeQueue.getJob(jobIds.codeJob(retry.body.data.id))).toBeDefined();

    const list = await owner.get(`/fix-jobs?incident_id=${incidentId}`).expect(200);
    expect(list.body.data.map((j: { id: string }) => j.id)).toEqual([retry.body.data.id, first.body.data.id]);
    expect(list.body.data[1]).toMatchObject({ status: 'failed', error: 'tests could not run' });
    expect((await stranger.get('/fix-jobs').expect(200)).body.data).toEqual([]);
    await owner.get(`/fix-jobs/${retry.body.data.id}`).expect(200);
    await stranger.get(`/fix-jobs/${retry.body.data.id}`).expect(404, { error: 'Fix job not found' });
    await owner.get('/fix-jobs/123').expect(404);
    await owner.get('/fix-jobs?incident_id=nope').expect(422);
  });

  it("names each listed fix job's monitor (the owner's own, renamed or not) next to its incident", async () => {
    const { incidentId, monitorId } = await seedIncident(owner.id);
    const started = await owner.post(`/incidents/${incidentId}/fix`).expect(202);
    expect(started.body.data).not.toHaveProperty('monitor_name');

    const list = await owner.get('/fix-jobs?limit=200').expect(200);
    const listed = list.body.data.find((j: { id: string }) => j.id === started.body.data.id);
    expect(listed).toEqual({ ...started.body.data, monitor_name: 'checkout', updated_at: expect.any(String) });
    expect(listed).toMatchObject({ monitor_id: monitorId, incident_id: incidentId });
    for (const job of list.body.data) expect(job.monitor_name).toBe('checkout');

    await api.query(`UPDATE monitors SET name = 'checkout v2' WHERE id = $1`, [monitorId]);
    const one = await owner.get(`/fix-jobs/${started.body.data.id}`).expect(200);
    expect(one.body.data).toMatchObject({ id: started.body.data.id, monitor_id: monitorId, monitor_name: 'checkout v2' });

    // A stranger's monitor with the same name never shows up among the owner's jobs, and the reverse.
    const { incidentId: strangerIncident } = await seedIncident(stranger.id);
    const strangerJob = (await stranger.post(`/incidents/${strangerIncident}/fix`).expect(202)).body.data.id as string;
    const strangers = (await stranger.get('/fix-jobs').expect(200)).body.data as Array<{ id: string; monitor_name: string }>;
    expect(strangers.map((j) => [j.id, j.monitor_name])).toEqual([[strangerJob, 'checkout']]);
    expect((await owner.get('/fix-jobs?limit=200').expect(200)).body.data.map((j: { id: string }) => j.id)).not.toContain(strangerJob);
  });

  it('answers 409 through the API when the monitor cannot be fixed', async () => {
    const { incidentId, monitorId } = await seedIncident(owner.id);
    await api.query('UPDATE monitors SET repo_link = NULL WHERE id = $1', [monitorId]);
    const res = await owner.post(`/incidents/${incidentId}/fix`).expect(409);
    expect(res.body.error).toMatch(/repository link/);
  });

  describe('the live status page after a confirmed link', () => {
    /** Confirms a fresh link like the page's button and returns what the status page polls with. */
    async function confirmLink(): Promise<{ jobId: string; token: string; statusUrl: string; html: string; linkToken: string; incidentId: string }> {
      const { incidentId } = await seedIncident(owner.id);
      const linkToken = await newLink(incidentId);
      const res = await api.request().post('/alert/trigger-agent').type('form').send({ token: linkToken }).expect(202);
      const [job] = await fixJobs(incidentId);
      const statusUrl = /data-status-url="([^"]+)"/.exec(res.text)?.[1] ?? '';
      const token = /data-status-token="([^"]+)"/.exec(res.text)?.[1] ?? '';
      return { jobId: job.id, token, statusUrl, html: res.text, linkToken, incidentId };
    }
    const poll = (url: string, token?: string) => {
      const req = api.request().get(url).set('Accept', 'application/json');
      return token === undefined ? req : req.set('X-Fix-Status-Token', token);
    };

    it('polls its own job with a short-lived token, renewed while the job runs, until the job is done and shows the PR', async () => {
      const { jobId, token, statusUrl, html, linkToken } = await confirmLink();
      expect(statusUrl).toBe(`/alert/fix-jobs/${jobId}/status`);
      expect(token).not.toBe('');
      expect(token).not.toBe(linkToken);
      expect(html).toContain('<script src="/dashboard/fix-status.js" defer></script>');
      const page = await api.request().post('/alert/trigger-agent').type('form').send({ token: linkToken }).expect(410);
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self'; connect-src 'self'/);
      expect(page.text).toContain(`data-status-url="${statusUrl}"`);
      const script = await api.request().get('/dashboard/fix-status.js').expect(200);
      expect(script.headers['content-type']).toMatch(/^text\/javascript/);
      expect(script.text).toContain('X-Fix-Status-Token');

      const running = await poll(statusUrl, token).expect(200);
      expect(running.headers['cache-control']).toBe('no-store');
      expect(running.body).toEqual({
        success: true,
        data: {
          id: jobId,
          status: 'queued',
          status_label: 'Queued',
          finished: false,
          steps: [{ status: 'queued', label: 'Queued', at: expect.any(String) }],
          pr_url: null,
          pr_number: null,
          error: null,
          updated_at: expect.any(String),
        },
        status_token: { token: expect.any(String), expires_at: expect.any(String) },
      });
      const expiresAt = new Date(running.body.status_token.expires_at).getTime();
      expect(expiresAt).toBeGreaterThan(Date.now());
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);

      const later = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
      await api.query(
        `UPDATE fix_jobs SET status = 'done', pr_url = 'https://github.com/acme/shop/pull/7', pr_number = 7,
                step_timestamps = step_timestamps || jsonb_build_object('opening-pr', $2::text, 'done', $3::text)
          WHERE id = $1`,
        [jobId, later(1), later(2)],
      );
      const done = await poll(statusUrl, running.body.status_token.token).expect(200);
      expect(done.body.data).toMatchObject({ status: 'done', status_label: 'Done', finished: true, pr_url: 'https://github.com/acme/shop/pull/7', pr_number: 7 });
      expect(done.body.data.steps.map((s: { status: string }) => s.status)).toEqual(['queued', 'opening-pr', 'done']);
      expect(done.body.status_token).toBeNull();

      // A finished job's page shows the PR as rendered and polls nothing.
      const finishedPage = await api.request().post('/alert/trigger-agent').type('form').send({ token: linkToken }).expect(410);
      expect(finishedPage.text).toContain('https://github.com/acme/shop/pull/7');
      expect(finishedPage.text).not.toContain('data-status-token');
      expect(finishedPage.text).not.toContain('fix-status.js');
    });

    it("refuses another job's status, and a missing, forged, expired or wrong kind of token, with 4xx {error}", async () => {
      const mine = await confirmLink();
      const other = await confirmLink();
      await poll(mine.statusUrl, mine.token).expect(200);

      const foreign = await poll(other.statusUrl, mine.token).expect(403);
      expect(foreign.body).toEqual({ error: 'This fix status token is for another fix job' });
      expect((await poll(mine.statusUrl).expect(401)).body).toEqual({ error: 'Missing fix status token' });
      const [head, body, signature] = mine.token.split('.');
      const forged = `${head}.${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      expect((await poll(mine.statusUrl, forged).expect(401)).body).toEqual({ error: 'Invalid fix status token' });
      const expired = api.app.get(FixStatusTokens).issue(mine.jobId, new Date(Date.now() - 16 * 60_000));
      expect((await poll(mine.statusUrl, expired.token).expect(401)).body.error).toMatch(/expired/);
      // Neither the owner's login token nor the alert link's token is a status token.
      await poll(mine.statusUrl, owner.token).expect(401);
      await poll(mine.statusUrl, mine.linkToken).expect(401);
      // Not in the query string either: only the header counts.
      await api.request().get(`${mine.statusUrl}?token=${encodeURIComponent(mine.token)}`).expect(401);

      await poll('/alert/fix-jobs/not-a-uuid/status', mine.token).expect(404);
      await api.query('DELETE FROM fix_jobs WHERE id = $1', [mine.jobId]);
      expect((await poll(mine.statusUrl, mine.token).expect(404)).body).toEqual({ error: 'Fix job not found' });
    });
  });

  it('never writes a link token or the GitHub token to the logs', () => {
    const logs = api.logs().join('\n');
    expect(issuedTokens.length).toBeGreaterThan(5);
    for (const token of issuedTokens) expect(logs).not.toContain(token);
    expect(logs).not.toContain(GITHUB_TOKEN);
  });
});
