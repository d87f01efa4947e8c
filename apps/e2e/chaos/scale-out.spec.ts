import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeChatWebhooks, FakeGitHubApi, FakeGitServer, SHOP_REPO_FILES, getFreePort, openSse, SseConnection, startFakeChatWebhooks, startFakeGitHubApi, startGitHttpServer, waitFor } from '@epitrace/testing';
import { ApiUser } from '../test/support/api-user';
import { API_TEST_ENV, AppName, RunningApp, deploymentSecrets, startApp } from '../test/support/app-processes';
import { FIX_SHOP_SCENARIO, clineEnv, writeClineWrapper } from '../test/support/fake-cline';
import { ChaosWorld, report } from './support/chaos-world';

const GITHUB_TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const INTERVAL_S = 10;
const HEALTHY_MONITORS = 12;

/** The `cline` both agents spawn: the fake CLI (plan: its default analysis; act: fixes src/price.js), noting each run. */
async function writeCline(dir: string): Promise<{ bin: string; runsFile: string }> {
  const runsFile = join(dir, 'cline-runs');
  const bin = await writeClineWrapper(
    join(dir, 'cline-scale-out.js'),
    `const plan = args.includes('--plan');
if (args[0] !== 'auth') fs.appendFileSync(${JSON.stringify(runsFile)}, (plan ? 'plan' : 'act') + '\\n');
scenario = plan || args[0] === 'auth' ? { FAKE_CLINE_SCENARIO: 'success' } : ${JSON.stringify(FIX_SHOP_SCENARIO)};`,
  );
  return { bin, runsFile };
}

describe('two replicas of every app against one Postgres and one Redis', () => {
  const world = new ChaosWorld();
  const { target } = world;
  const running: RunningApp[] = [];
  const streams: SseConnection[] = [];
  let git: FakeGitServer;
  let github: FakeGitHubApi;
  let hooks: FakeChatWebhooks;
  let work = '';

  afterAll(async () => {
    for (const s of streams) s.close();
    await Promise.all(running.map((a) => a.stop('SIGKILL')));
    await Promise.all([git?.close(), github?.close(), hooks?.close()]);
    if (work) await rm(work, { recursive: true, force: true });
    await world.stop();
  });

  it('checks each monitor once per interval, opens one incident, sends one alert per webhook, opens one pull request, and streams the fix log to clients on both api replicas', async () => {
    await world.start();
    git = await startGitHttpServer({ token: GITHUB_TOKEN });
    github = await startFakeGitHubApi({ token: GITHUB_TOKEN, htmlBase: git.url });
    hooks = await startFakeChatWebhooks();
    work = await mkdtemp(join(tmpdir(), 'chaos-scale-out-'));
    const cline = await writeCline(work);
    const repoUrl = await git.createRepo('acme', 'shop', SHOP_REPO_FILES, { defaultBranch: 'trunk' });
    github.addRepo('acme', 'shop', { defaultBranch: 'trunk' });

    const [apiPortA, apiPortB] = [await getFreePort(), await getFreePort()];
    const apiA = `http://127.0.0.1:${apiPortA}`;
    const apiB = `http://127.0.0.1:${apiPortB}`;
    const shared = world.env({ ...deploymentSecrets(), PUBLIC_URL: apiA });
    const start = async (name: AppName, port: number, extra: Record<string, string> = {}) => {
      const app = await startApp(name, port, { ...shared, ...extra });
      running.push(app);
      return app;
    };
    await Promise.all([start('api', apiPortA, API_TEST_ENV), start('api', apiPortB, API_TEST_ENV)]);

    // Setup through replica A, reads and the fix trigger through replica B.
    const onA = await ApiUser.register(apiA, 'oncall@example.com');
    const onB = onA.at(apiB);
    const slackId = await onA.create('/webhook', { provider: 'slack', webhook_url: hooks.slackUrl() });
    const discordId = await onA.create('/webhook', { provider: 'discord', webhook_url: hooks.discordUrl() });
    const tokenId = await onA.create('/github-token', { access_token: GITHUB_TOKEN });
    const monitorIds: string[] = [];
    for (let i = 0; i < HEALTHY_MONITORS + 1; i++) {
      monitorIds.push(
        await onA.create('/monitor/create', { name: `svc ${i}`, url: target.url(`m${i}`), repo_link: repoUrl, method: 'GET', check_interval: INTERVAL_S, timeout: 2, failure_threshold: 2, is_active: true }),
      );
    }
    const urlOf = new Map(monitorIds.map((id, i) => [id, `m${i}`]));
    const outageId = monitorIds[HEALTHY_MONITORS];
    for (const path of [`/webhook/monitor/${outageId}/add/${slackId}`, `/webhook/monitor/${outageId}/add/${discordId}`, `/github-token/monitor/${outageId}/add/${tokenId}`]) {
      expect((await onA.fetch(path, { method: 'POST' })).status).toBe(201);
    }

    const agentEnv = { ALLOW_HTTP_REMOTES: 'true', ...clineEnv(cline.bin) };
    const codeEnv = { ...agentEnv, GITHUB_API_URL: github.url, FIX_WORK_DIR: join(work, 'jobs'), LOG_SHIP_INTERVAL_MS: '100', LOG_LEVEL: 'info' };
    const workers = await Promise.all([start('monitor-worker', await getFreePort()), start('monitor-worker', await getFreePort())]);
    await Promise.all([
      start('analysis-agent', await getFreePort(), agentEnv),
      start('analysis-agent', await getFreePort(), agentEnv),
      // Each code-agent ships its log lines to a different api replica.
      start('code-agent', await getFreePort(), { ...codeEnv, INGEST_URL: apiA }),
      start('code-agent', await getFreePort(), { ...codeEnv, INGEST_URL: apiB }),
    ]);
    const startedAt = Date.now();

    // Everything healthy for a few intervals.
    await waitFor(async () => {
      const rows = await world.sql<{ n: string }>(`SELECT count(DISTINCT monitor_id) AS n FROM monitor_checks`);
      return Number(rows[0].n) === monitorIds.length;
    }, { timeoutMs: 60_000, intervalMs: 500, what: 'every monitor to be checked' });
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_S * 1000));

    // One service breaks.
    target.failing.add(urlOf.get(outageId) as string);
    await waitFor(() => hooks.messages.length >= 2, { timeoutMs: 90_000, intervalMs: 250, what: 'the Slack and Discord alerts' });
    const [incident] = await world.sql<{ id: string }>(`SELECT id FROM incidents WHERE monitor_id = $1`, [outageId]);

    // Clients follow the fix log on both api replicas; the fix is started on replica B.
    const sseA = await openSse(`${apiA}/logs/code-worker/stream`, { Authorization: `Bearer ${onA.jwt}` });
    const sseB = await openSse(`${apiB}/logs/code-worker/stream`, { Authorization: `Bearer ${onA.jwt}` });
    streams.push(sseA, sseB);
    expect([sseA.status, sseB.status]).toEqual([200, 200]);
    const started = await onB.fetch(`/incidents/${incident.id}/fix`, { method: 'POST' });
    expect(started.status).toBe(202);
    const fixJobId = ((await started.json()) as { data: { id: string } }).data.id;
    const job = await onA.waitForFixJob(fixJobId, { timeoutMs: 120_000, intervalMs: 500, what: 'the fix job to finish' });
    expect(job['status']).toBe('done');
    const history = ((await (await onB.fetch(`/logs/code-worker?jobId=${fixJobId}`)).json()) as { data: { id: string; message: string }[] }).data;
    const lastLine = history[history.length - 1];
    await sseA.until((events) => events.some((e) => e.event === 'log' && e.data.includes(lastLine.message)), 30_000);
    await sseB.until((events) => events.some((e) => e.event === 'log' && e.data.includes(lastLine.message)), 30_000);

    // Room for duplicates to show up, then the monitor-workers stop so the counts are final.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000));
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    const ranS = (Date.now() - startedAt) / 1000;

    const duplicateRows = Number(
      (
        await world.sql<{ n: string }>(
          'SELECT count(*) AS n FROM (SELECT monitor_id, scheduled_at FROM monitor_checks GROUP BY 1, 2 HAVING count(*) > 1) d',
        )
      )[0].n,
    );
    const nullScheduled = Number((await world.sql<{ n: string }>('SELECT count(*) AS n FROM monitor_checks WHERE scheduled_at IS NULL'))[0].n);
    const rowsPerMonitor = new Map(
      (await world.sql<{ monitor_id: string; n: string }>('SELECT monitor_id, count(*) AS n FROM monitor_checks GROUP BY 1')).map((r) => [r.monitor_id, Number(r.n)]),
    );
    const mismatched = monitorIds.filter((id) => (target.requests.get(urlOf.get(id) as string) ?? 0) !== (rowsPerMonitor.get(id) ?? 0));
    const totalRows = [...rowsPerMonitor.values()].reduce((a, b) => a + b, 0);
    const totalRequests = [...target.requests.values()].reduce((a, b) => a + b, 0);
    const incidents = await world.sql(`SELECT id FROM incidents`);
    const fixJobs = await world.sql(`SELECT id FROM fix_jobs`);
    const runs = (await readFile(cline.runsFile, 'utf8')).trim().split('\n');
    const linesA = sseA.logs().filter((l) => l.jobId === fixJobId).map((l) => l.id);
    const linesB = sseB.logs().filter((l) => l.jobId === fixJobId).map((l) => l.id);
    const codeAgentsThatRanIt = running.filter((a) => a.name === 'code-agent' && a.output().includes(fixJobId)).length;
    const slackMessages = hooks.messages.filter((m) => m.provider === 'slack');
    const discordMessages = hooks.messages.filter((m) => m.provider === 'discord');
    const downAlerts = (list: typeof hooks.messages) => list.filter((m) => JSON.stringify(m.body).includes('is DOWN')).length;

    report('two replicas of each app (2 api, 2 monitor-worker, 2 analysis-agent, 2 code-agent), one Postgres, one Redis', {
      did: `${monitorIds.length} monitors every ${INTERVAL_S} s for ${ranS.toFixed(0)} s; one target broke; the fix was started on api B`,
      'check rows / requests at the target': `${totalRows} / ${totalRequests} (monitors whose counts differ: ${mismatched.length})`,
      'duplicate (monitor, scheduled_at) rows': duplicateRows,
      'check rows without scheduled_at': nullScheduled,
      'incidents opened': incidents.length,
      'Slack DOWN alerts / Discord DOWN alerts': `${downAlerts(slackMessages)} / ${downAlerts(discordMessages)} (all messages: ${slackMessages.length} / ${discordMessages.length})`,
      'Cline analyses / fix runs': `${runs.filter((r) => r === 'plan').length} / ${runs.filter((r) => r === 'act').length}`,
      'fix jobs / pull requests': `${fixJobs.length} / ${github.pulls.length}`,
      'code-agent replicas whose log names the job': codeAgentsThatRanIt,
      'fix log lines in history / on api A stream / on api B stream': `${history.length} / ${linesA.length} / ${linesB.length}`,
    });
    expect(duplicateRows).toBe(0);
    expect(mismatched).toEqual([]);
    expect(incidents).toHaveLength(1);
    expect(downAlerts(slackMessages)).toBe(1);
    expect(downAlerts(discordMessages)).toBe(1);
    expect(runs.filter((r) => r === 'plan')).toHaveLength(1);
    expect(runs.filter((r) => r === 'act')).toHaveLength(1);
    expect(fixJobs).toHaveLength(1);
    expect(github.pulls).toHaveLength(1);
    expect(linesA).toEqual(history.map((l) => l.id));
    expect(linesB).toEqual(history.map((l) => l.id));
  }, 420_000);
});
