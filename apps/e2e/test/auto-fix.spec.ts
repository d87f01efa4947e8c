import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { redisOptionsFromUrl } from '@epitrace/config';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';
import {
  FakeGitHubApi,
  FakeGitServer,
  FIXED_PRICE_JS,
  SHOP_ANALYSIS,
  SHOP_REPO_FILES,
  TEST_REDIS_URL,
  TestDatabase,
  createTestDatabase,
  deleteKeysWithPrefix,
  getFreePort,
  startFakeGitHubApi,
  startGitHttpServer,
  uniqueQueuePrefix,
  waitFor,
} from '@epitrace/testing';
import { ApiUser } from './support/api-user';
import { API_TEST_ENV, RunningApp, deploymentEnv, startApp } from './support/app-processes';
import { FIX_SHOP_SCENARIO, clineEnv, writeClineWrapper } from './support/fake-cline';

const GITHUB_TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const TOKEN_HEADER = Buffer.from(`x-access-token:${GITHUB_TOKEN}`).toString('base64');

/** What the fake CLI answers in plan mode: the analysis, as a fenced JSON block like the real agent. */
const PLAN_TEXT = 'Here is my analysis:\n```json\n' + JSON.stringify(SHOP_ANALYSIS) + '\n```';

/** Every process's argv on this machine, as `ps` would show it (NUL-separated in /proc). */
async function allCommandLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline) lines.push(cmdline.replace(/\0/g, ' '));
  }
  return lines;
}

interface SseEvent {
  event: string;
  data: string;
}

/** Reads a Server-Sent Events response until aborted. */
function followSse(url: string, headers: Record<string, string>, events: SseEvent[], signal: AbortSignal): void {
  void (async () => {
    const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal });
    const reader = res.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let split;
      while ((split = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        const event = /^event: ?(.*)$/m.exec(frame)?.[1] ?? 'message';
        const data = frame
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.replace(/^data: ?/, ''))
          .join('\n');
        events.push({ event, data });
      }
    }
  })().catch(() => undefined);
}

/** A Slack incoming-webhook receiver: answers `ok` like Slack and keeps every message. */
async function startSlackReceiver(): Promise<{ url: string; messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    messages.push(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0000/B0000/e2eAutoFixHook`,
    messages,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('auto-fix, end to end with the built apps', () => {
  let db: TestDatabase;
  const prefix = uniqueQueuePrefix('autofix');
  let git: FakeGitServer;
  let github: FakeGitHubApi;
  let work: string;
  let api: RunningApp;
  let codeAgent: RunningApp;
  let analysisAgent: RunningApp;
  let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
  let apiUrl: string;
  let user: ApiUser;
  let incidentId: string;
  let monitorId: string;
  const argvHits: string[] = [];
  let argvSamples = 0;
  let sawCodeAgentArgv = false;
  let sampling = true;
  const sse = new AbortController();
  const events: SseEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('e2e_autofix');
    git = await startGitHttpServer({ token: GITHUB_TOKEN });
    const repoUrl = await git.createRepo('acme', 'shop', SHOP_REPO_FILES, { defaultBranch: 'trunk' });
    github = await startFakeGitHubApi({ token: GITHUB_TOKEN, htmlBase: git.url });
    github.addRepo('acme', 'shop', { defaultBranch: 'trunk' });
    work = await mkdtemp(join(tmpdir(), 'e2e-autofix-'));

    // The real Cline runner spawns this as its `cline` binary: the fake CLI (plan mode: an analysis;
    // act mode: the `edit` scenario that fixes src/price.js), after noting the workspace's .git/config (to prove it never holds the token).
    const wrapper = await writeClineWrapper(
      join(work, 'cline-wrapper.js'),
      `const i = args.indexOf('-c');
if (i >= 0) { try { fs.copyFileSync(args[i + 1] + '/.git/config', ${JSON.stringify(join(work, 'seen-git-config-'))} + process.pid); } catch {} }
const plan = args.includes('--plan') || args.includes('-p');
scenario = plan ? { FAKE_CLINE_SCENARIO: 'success', FAKE_CLINE_TEXT: ${JSON.stringify(PLAN_TEXT)} } : ${JSON.stringify(FIX_SHOP_SCENARIO)};`,
    );

    const apiPort = await getFreePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const shared = deploymentEnv(db.url, prefix);
    slack = await startSlackReceiver();
    api = await startApp('api', apiPort, { ...shared, PUBLIC_URL: apiUrl, ...API_TEST_ENV });
    analysisAgent = await startApp('analysis-agent', await getFreePort(), {
      ...shared,
      PUBLIC_URL: apiUrl,
      ALLOW_HTTP_REMOTES: 'true',
      ANALYSIS_WORK_DIR: join(work, 'analysis'),
      ...clineEnv(wrapper),
    });
    codeAgent = await startApp('code-agent', await getFreePort(), {
      ...shared,
      INGEST_URL: apiUrl,
      GITHUB_API_URL: github.url,
      ALLOW_HTTP_REMOTES: 'true',
      FIX_WORK_DIR: join(work, 'jobs'),
      ...clineEnv(wrapper),
      LOG_SHIP_INTERVAL_MS: '100',
    });

    // A user sets up a monitor with its repository and a GitHub token, through the API.
    user = await ApiUser.register(apiUrl, 'dev@example.com');
    monitorId = await user.create('/monitor/create', { name: 'shop checkout', url: 'https://shop.example.test/api/checkout', repo_link: repoUrl, method: 'POST', check_interval: 60, timeout: 10 });
    const tokenId = await user.create('/github-token', { access_token: GITHUB_TOKEN });
    expect((await user.fetch(`/github-token/monitor/${monitorId}/add/${tokenId}`, { method: 'POST' })).status).toBe(201);
    const hookId = await user.create('/webhook', { provider: 'slack', webhook_url: slack.url });
    expect((await user.fetch(`/webhook/monitor/${monitorId}/add/${hookId}`, { method: 'POST' })).status).toBe(201);

    // The outage as the monitor-worker confirms it: an open incident and a monitor-down event.
    incidentId = randomUUID();
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query('SELECT user_id FROM monitors WHERE id = $1', [monitorId]);
      await pg.query(
        `INSERT INTO incidents (id, monitor_id, user_id, state, opened_at, cause, status_code)
         VALUES ($1, $2, $3, 'open', '2026-11-25T21:00:00Z', 'HTTP 500: checkout total is off by one', 500)`,
        [incidentId, monitorId, rows[0].user_id],
      );
    } finally {
      await pg.end();
    }
    const downQueue = new Queue(QUEUES.DOWN_MONITORS, { connection: redisOptionsFromUrl(TEST_REDIS_URL), prefix });
    await downQueue.add(JOBS.MONITOR_DOWN, buildPayload(JOBS.MONITOR_DOWN, { incidentId, monitorId }), { ...JOB_OPTIONS.incidentEvent, jobId: jobIds.monitorDown(incidentId) });
    await downQueue.close();

    void (async () => {
      while (sampling) {
        for (const line of await allCommandLines()) {
          if (line.includes(GITHUB_TOKEN) || line.includes(TOKEN_HEADER)) argvHits.push(line);
          if (line.includes('dist/apps/code-agent/main.js')) sawCodeAgentArgv = true;
        }
        argvSamples++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    followSse(`${apiUrl}/logs/code-worker/stream`, { authorization: `Bearer ${user.jwt}` }, events, sse.signal);
  });

  afterAll(async () => {
    sampling = false;
    sse.abort();
    await Promise.all([api?.stop(), codeAgent?.stop(), analysisAgent?.stop()]);
    await Promise.all([git?.close(), github?.close(), slack?.close()]);
    await rm(work, { recursive: true, force: true });
    await deleteKeysWithPrefix(prefix);
    await db?.drop();
  });

  it('goes from the Slack alert\'s link through the confirmation page to a pushed branch and a draft pull request, streams the log, reports the PR to Slack, and a retry reuses that pull request', async () => {
    // The analysis-agent analyses the incident and alerts Slack; the alert carries the auto-fix link.
    const alert = await waitFor(() => slack.messages.find((m) => m.includes('/alert/trigger-agent?token=')), { timeoutMs: 90_000, what: 'the Slack alert with the auto-fix link' });
    const linkUrl = /https?:\/\/[^"\s<>|]+\/alert\/trigger-agent\?token=[^"\s<>|]+/.exec(alert)?.[0] as string;
    expect(linkUrl.startsWith(`${apiUrl}/alert/trigger-agent?token=`)).toBe(true);
    const link = { url: linkUrl, token: decodeURIComponent(new URL(linkUrl).searchParams.get('token') as string) };

    // A chat app unfurls the link: a plain GET, which starts nothing.
    const preview = await fetch(link.url, { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' } });
    expect(preview.status).toBe(200);
    const page = await preview.text();
    expect(((await (await user.fetch('/fix-jobs')).json()) as { data: unknown[] }).data).toEqual([]);

    // The person presses the button: the page's form is posted as a browser would.
    const action = /<form method="post" action="([^"]+)">/.exec(page)?.[1];
    const formToken = /name="token" value="([^"]+)"/.exec(page)?.[1];
    expect(action).toBe('/alert/trigger-agent');
    expect(formToken).toBe(link.token);
    const started = await fetch(`${apiUrl}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: formToken as string }).toString(),
    });
    expect(started.status).toBe(202);
    const statusPage = await started.text();
    expect(statusPage).toContain('Auto-fix started');
    const jobs = ((await (await user.fetch('/fix-jobs')).json()) as { data: { id: string }[] }).data;
    expect(jobs).toHaveLength(1);
    const jobId = jobs[0].id;
    expect(statusPage).toContain(`${apiUrl}/dashboard#job=${jobId}`);

    const job = await user.waitForFixJob(jobId, { timeoutMs: 120_000, intervalMs: 250, what: 'the fix job to finish' });
    expect(job).toMatchObject({ status: 'done', baseline_test_outcome: 'failed', after_test_outcome: 'passed', test_command: 'npm test', error: null });

    // The branch is on the git server, made from the default branch, holding Cline's fix only.
    const branch = job['branch'] as string;
    expect(branch).toBe(`epitrace/fix-${incidentId.replace(/-/g, '').slice(0, 8)}`);
    expect(await git.readFile('acme', 'shop', branch, 'src/price.js')).toBe(FIXED_PRICE_JS);
    expect(await git.changedFiles('acme', 'shop', 'trunk', branch)).toEqual(['src/price.js']);

    // One draft pull request, whose body tells the reviewer everything.
    const prs = github.pulls.filter((p) => p.head.ref === branch);
    expect(prs).toHaveLength(1);
    const pr = prs[0];
    expect(pr).toMatchObject({ draft: true, base: { ref: 'trunk' }, title: 'fix: Seed the order total with 0' });
    expect(job['pr_url']).toBe(pr.html_url);
    expect(job['pr_number']).toBe(pr.number);
    for (const expected of [
      'needs human review',
      'POST https://shop.example.test/api/checkout',
      'HTTP 500: checkout total is off by one',
      '2026-11-25T21:00:00.000Z',
      'reduce() in src/price.js is seeded with 1.',
      '`src/price.js` (modified)',
      'Command: `npm test`',
    ]) {
      expect(pr.body).toContain(expected);
    }
    expect(pr.body).toMatch(/before the fix \| ❌ failed/);
    expect(pr.body).toMatch(/after the fix \| ✅ passed/);

    // The live log: every step reached the api's ingest, is in the history and was streamed.
    const history = ((await (await user.fetch(`/logs/code-worker?jobId=${jobId}`)).json()) as { data: { stage: string; message: string; jobId: string }[] }).data;
    expect(new Set(history.map((l) => l.stage))).toEqual(new Set(['cloning', 'baseline-tests', 'fixing', 'testing', 'pushing', 'opening-pr', 'done']));
    expect(history.some((l) => l.message.includes(pr.html_url))).toBe(true);
    await waitFor(() => events.some((e) => e.event === 'log' && e.data.includes(jobId) && e.data.includes('pull request #')), { what: 'the PR line on the SSE stream' });

    // A retry (the job marked failed after its PR was opened, e.g. a crash while reporting) updates the same PR.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query(`UPDATE fix_jobs SET status = 'failed' WHERE id = $1`, [jobId]);
    await pg.end();
    const retry = await user.fetch(`/incidents/${incidentId}/fix`, { method: 'POST' });
    expect(retry.status).toBe(202);
    const retryId = ((await retry.json()) as { data: { id: string } }).data.id;
    const retried = await user.waitForFixJob(retryId, { timeoutMs: 120_000, intervalMs: 250, what: 'the retried fix job' });
    expect(retried).toMatchObject({ status: 'done', pr_number: pr.number, pr_url: pr.html_url });
    expect(github.pulls.filter((p) => p.head.ref === branch)).toHaveLength(1);

    // The team hears about the pull request in Slack, through the analysis-agent's outbox.
    await waitFor(() => slack.messages.some((m) => m.includes(pr.html_url)), { timeoutMs: 60_000, what: 'the Slack follow-up with the PR link' });

    // The used link is refused, and says which job it started.
    const reused = await fetch(link.url, { headers: { accept: 'application/json' } });
    expect(reused.status).toBe(410);
    expect(await reused.json()).toMatchObject({ reason: 'used' });

    // The token never reached job data, argv, the workspace's .git/config, the logs or the apps' output.
    const codeQueue = new Queue(QUEUES.CODE, { connection: redisOptionsFromUrl(TEST_REDIS_URL), prefix });
    const queued = await codeQueue.getJob(jobIds.codeJob(jobId));
    await codeQueue.close();
    expect(queued?.data).toEqual({ incidentId, fixJobId: jobId });
    expect(argvSamples).toBeGreaterThan(0);
    expect(sawCodeAgentArgv).toBe(true);
    expect(argvHits).toEqual([]);
    const seenConfigs = (await readdir(work)).filter((f) => f.startsWith('seen-git-config-'));
    expect(seenConfigs.length).toBeGreaterThanOrEqual(2);
    for (const file of seenConfigs) {
      const config = await readFile(join(work, file), 'utf8');
      expect(config).toContain('/acme/shop.git');
      expect(config).not.toContain(GITHUB_TOKEN);
      expect(config).not.toContain(TOKEN_HEADER);
    }
    for (const text of [JSON.stringify(history), JSON.stringify(events), api.output(), codeAgent.output(), analysisAgent.output(), pr.body, ...slack.messages]) {
      expect(text).not.toContain(GITHUB_TOKEN);
      expect(text).not.toContain(TOKEN_HEADER);
    }
    for (const text of [JSON.stringify(history), JSON.stringify(events), api.output(), codeAgent.output(), analysisAgent.output(), pr.body]) {
      expect(text).not.toContain(link.token);
    }
    // Workspaces are removed after each job.
    expect(await readdir(join(work, 'jobs')).catch(() => [])).toEqual([]);
  });
  it('stamps every line the apps logged about the incident and its fix jobs with their ids', async () => {
    const fixJobIds = ((await (await user.fetch('/fix-jobs')).json()) as { data: { id: string }[] }).data.map((j) => j.id);
    expect(fixJobIds.length).toBe(2);
    const parse = (output: string) =>
      output.split('\n').flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    const lines = [api, analysisAgent, codeAgent].flatMap((app) => parse(app.output()));
    let checked = 0;
    for (const line of lines) {
      const msg = String(line['msg']);
      if (msg.includes(incidentId)) {
        checked++;
        expect({ msg, incidentId: line['incidentId'] }).toEqual({ msg, incidentId });
      }
      for (const id of fixJobIds.filter((fixJobId) => msg.includes(fixJobId))) {
        checked++;
        expect({ msg, fixJobId: line['fixJobId'] }).toEqual({ msg, fixJobId: id });
      }
    }
    // The code-agent's step lines and the analysis-agent's deliveries name no id in their text: the fields tie them to the outage.
    const stepLines = lines.filter((l) => l['context'] === 'FixJobLog');
    const deliveries = lines.filter((l) => String(l['msg']).startsWith('alert delivered to'));
    expect(stepLines.length).toBeGreaterThan(10);
    expect(deliveries.length).toBeGreaterThan(0);
    for (const line of stepLines) expect(line).toMatchObject({ incidentId, monitorId, fixJobId: expect.stringMatching(new RegExp(fixJobIds.join('|'))), jobId: expect.any(String) });
    for (const line of deliveries) expect(line).toMatchObject({ incidentId, monitorId });
    expect(checked).toBeGreaterThan(2);
  });
});
