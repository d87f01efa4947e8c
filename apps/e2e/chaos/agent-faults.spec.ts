import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUGGY_PRICE_JS, FIXED_PRICE_JS, FakeGitHubApi, FakeGitServer, SHOP_REPO_FILES, getFreePort, startFakeGitHubApi, startGitHttpServer, waitFor } from '@epitrace/testing';
import { ApiUser } from '../test/support/api-user';
import { API_TEST_ENV, RunningApp, deploymentSecrets, startApp } from '../test/support/app-processes';
import { FIX_SHOP_SCENARIO, clineEnv, writeClineWrapper } from '../test/support/fake-cline';
import { ChaosWorld, report } from './support/chaos-world';
import { SwitchableSlack } from './support/switchable-slack';

const GITHUB_TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const INTERVAL_S = 10;
const RECEIVER_DOWN_MS = 60_000;

/**
 * The `cline` the code-agent spawns: its first fix run hangs (writing its pid, so the test can end
 * it like the rest of a killed container); later runs fix src/price.js with the fake CLI.
 */
async function writeHangOnceCline(dir: string): Promise<{ bin: string; pidFile: string; runsFile: string }> {
  const pidFile = join(dir, 'hanging-cline.pid');
  const runsFile = join(dir, 'cline-runs');
  const bin = await writeClineWrapper(
    join(dir, 'cline-hang-once.js'),
    `const fixRun = args[0] !== 'auth';
if (fixRun) fs.appendFileSync(${JSON.stringify(runsFile)}, 'run\\n');
if (fixRun && !fs.existsSync(${JSON.stringify(pidFile)})) {
  fs.writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
  scenario = null;
} else {
  scenario = ${JSON.stringify(FIX_SHOP_SCENARIO)};
}`,
  );
  return { bin, pidFile, runsFile };
}

describe('agents under faults (private Postgres and Redis)', () => {
  const world = new ChaosWorld();
  const running: RunningApp[] = [];
  let git: FakeGitServer;
  let apiUrl = '';
  let user: ApiUser;
  let shared: Record<string, string> = {};

  const start = async (name: Parameters<typeof startApp>[0], extra: Record<string, string> = {}) => {
    const app = await startApp(name, await getFreePort(), { ...shared, ...extra });
    running.push(app);
    return app;
  };

  beforeAll(async () => {
    await world.start();
    git = await startGitHttpServer({ token: GITHUB_TOKEN });
    const apiPort = await getFreePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    shared = world.env({ ...deploymentSecrets(), PUBLIC_URL: apiUrl });
    running.push(await startApp('api', apiPort, { ...shared, ...API_TEST_ENV }));
    user = await ApiUser.register(apiUrl, 'oncall@example.com');
  }, 180_000);

  afterAll(async () => {
    await Promise.all(running.map((a) => a.stop('SIGKILL')));
    await git?.close();
    await world.stop();
  });

  it('a Slack receiver down for a minute while an incident opens gets the alert exactly once when it is back', async () => {
    const slack = new SwitchableSlack();
    await slack.up();
    try {
      await start('monitor-worker');
      await start('analysis-agent', { ALLOW_HTTP_REMOTES: 'true', ...clineEnv() });
      const repoUrl = await git.createRepo('acme', 'shop-api', { 'src/db.js': 'module.exports = {};\n' });
      const hookId = await user.create('/webhook', { provider: 'slack', webhook_url: slack.url() });
      const tokenId = await user.create('/github-token', { access_token: GITHUB_TOKEN });
      const monitorId = await user.create('/monitor/create', { name: 'Shop API', url: world.target.url('shop'), repo_link: repoUrl, method: 'GET', check_interval: INTERVAL_S, timeout: 2, failure_threshold: 2, is_active: true });
      for (const path of [`/webhook/monitor/${monitorId}/add/${hookId}`, `/github-token/monitor/${monitorId}/add/${tokenId}`]) {
        expect((await user.fetch(path, { method: 'POST' })).status).toBe(201);
      }
      await waitFor(async () => ((await (await user.fetch(`/monitor/${monitorId}`)).json()) as { data: { status: string } }).data.status === 'UP', {
        timeoutMs: 40_000,
        what: 'the monitor to be UP',
      });

      // The receiver goes away, then the service breaks: the incident opens while alerts cannot be delivered.
      await slack.down();
      const downAt = Date.now();
      world.target.failing.add('shop');
      const [incident] = await waitFor(
        async () => {
          const rows = await world.sql<{ id: string; opened_at: Date }>(`SELECT id, opened_at FROM incidents WHERE monitor_id = $1`, [monitorId]);
          return rows.length ? rows : null;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'the incident to open' },
      );
      const openedAfterS = (new Date(incident.opened_at).getTime() - downAt) / 1000;
      await waitFor(
        async () => (await world.sql(`SELECT 1 FROM alert_deliveries WHERE incident_id = $1 AND status = 'failed'`, [incident.id])).length > 0,
        { timeoutMs: 60_000, intervalMs: 250, what: 'a failed delivery attempt while the receiver is down' },
      );
      await new Promise((r) => setTimeout(r, Math.max(0, downAt + RECEIVER_DOWN_MS - Date.now())));
      const [whileDown] = await world.sql<{ attempts: number; status: string; last_error: string }>(
        `SELECT attempts, status, last_error FROM alert_deliveries WHERE incident_id = $1`,
        [incident.id],
      );
      expect(slack.messages).toHaveLength(0);

      await slack.up();
      const upAt = Date.now();
      await waitFor(() => slack.messages.length > 0, { timeoutMs: 120_000, intervalMs: 200, what: 'the alert after the receiver is back' });
      const deliveredAfterS = (slack.messages[0].receivedAt - upAt) / 1000;
      // Room for a duplicate to show up (a retry racing the one that succeeded).
      await new Promise((r) => setTimeout(r, 15_000));
      const downAlerts = slack.messages.filter((m) => m.body.includes('DOWN'));
      const [delivery] = await world.sql<{ attempts: number; status: string }>(`SELECT attempts, status FROM alert_deliveries WHERE incident_id = $1`, [incident.id]);
      const incidents = await world.sql(`SELECT id FROM incidents WHERE monitor_id = $1`, [monitorId]);

      report('Slack webhook receiver down for 60 s while an incident opens', {
        did: `receiver refused connections for ${RECEIVER_DOWN_MS / 1000} s; the monitor failed ${openedAfterS.toFixed(1)} s into the outage and opened incident ${incident.id}`,
        'while down': `delivery ${whileDown.status} after ${whileDown.attempts} claimed attempt(s), last error: ${String(whileDown.last_error).slice(0, 120)}`,
        'alert arrived after receiver came back (s)': deliveredAfterS.toFixed(1),
        'Slack messages received': slack.messages.length,
        'DOWN alerts received': downAlerts.length,
        'delivery row': `${delivery.status} after ${delivery.attempts} claimed attempt(s)`,
        'incidents opened': incidents.length,
        'settings': 'WEBHOOK_* defaults (4 tries per job run, base 1 s) and the down-monitors job retries (5 attempts, exponential 2 s)',
      });
      expect(slack.messages).toHaveLength(1);
      expect(downAlerts).toHaveLength(1);
      expect(delivery.status).toBe('sent');
      expect(incidents).toHaveLength(1);
    } finally {
      await slack.down();
    }
  }, 300_000);

  it('kill -9 of the code-agent while Cline runs: after a restart the job is retried (or failed with a reason), never left running, and one pull request at most', async () => {
    const github: FakeGitHubApi = await startFakeGitHubApi({ token: GITHUB_TOKEN, htmlBase: git.url });
    const work = await mkdtemp(join(tmpdir(), 'chaos-code-agent-'));
    let hangingPid = 0;
    try {
      const repoUrl = await git.createRepo('acme', 'shop', SHOP_REPO_FILES, { defaultBranch: 'trunk' });
      github.addRepo('acme', 'shop', { defaultBranch: 'trunk' });
      const cline = await writeHangOnceCline(work);
      const codeAgentEnv = {
        INGEST_URL: apiUrl,
        GITHUB_API_URL: github.url,
        ALLOW_HTTP_REMOTES: 'true',
        FIX_WORK_DIR: join(work, 'jobs'),
        ...clineEnv(cline.bin),
      };
      const first = await start('code-agent', codeAgentEnv);

      const tokenId = await user.create('/github-token', { access_token: GITHUB_TOKEN });
      const monitorId = await user.create('/monitor/create', { name: 'shop checkout', url: world.target.url('checkout'), repo_link: repoUrl, method: 'GET', check_interval: 60, timeout: 10 });
      expect((await user.fetch(`/github-token/monitor/${monitorId}/add/${tokenId}`, { method: 'POST' })).status).toBe(201);
      const incidentId = randomUUID();
      const [{ user_id }] = await world.sql<{ user_id: string }>('SELECT user_id FROM monitors WHERE id = $1', [monitorId]);
      await world.sql(
        `INSERT INTO incidents (id, monitor_id, user_id, state, opened_at, cause, status_code) VALUES ($1, $2, $3, 'open', now(), 'HTTP 500: checkout total is off by one', 500)`,
        [incidentId, monitorId, user_id],
      );

      const started = await user.fetch(`/incidents/${incidentId}/fix`, { method: 'POST' });
      expect(started.status).toBe(202);
      const fixJobId = ((await started.json()) as { data: { id: string } }).data.id;
      await waitFor(async () => (await readFile(cline.pidFile, 'utf8').catch(() => '')).length > 0, { timeoutMs: 120_000, intervalMs: 200, what: 'Cline to be running the fix' });
      hangingPid = Number(await readFile(cline.pidFile, 'utf8'));
      const [{ status: statusAtKill }] = await world.sql<{ status: string }>('SELECT status FROM fix_jobs WHERE id = $1', [fixJobId]);

      // kill -9 of the whole container: the code-agent and the Cline it spawned.
      const killedAt = Date.now();
      expect(await first.stop('SIGKILL')).toBe('SIGKILL');
      process.kill(hangingPid, 'SIGKILL');
      hangingPid = 0;
      await start('code-agent', codeAgentEnv);

      const job = await user.waitForFixJob(fixJobId, { timeoutMs: 180_000, intervalMs: 500, what: 'the interrupted fix job to finish' });
      const settledS = (Date.now() - killedAt) / 1000;
      // Room for a stray second run to open another pull request.
      await new Promise((r) => setTimeout(r, 10_000));
      const [row] = await world.sql<{ status: string; error: string | null; pr_number: number | null }>('SELECT status, error, pr_number FROM fix_jobs WHERE id = $1', [fixJobId]);
      const fixJobs = await world.sql('SELECT id FROM fix_jobs WHERE incident_id = $1', [incidentId]);
      const runs = (await readFile(cline.runsFile, 'utf8')).trim().split('\n').length;

      report('kill -9 of the code-agent while Cline runs a fix', {
        did: `killed the code-agent (and its Cline) while fix job ${fixJobId} was in step "${statusAtKill}", restarted it at once`,
        'job outcome': `${row.status}${row.error ? ` (${row.error})` : ''}`,
        'seconds from the kill to a final status': settledS.toFixed(1),
        'Cline fix runs': runs,
        'fix_jobs rows for the incident': fixJobs.length,
        'pull requests opened': github.pulls.length,
        'PR of the job': row.pr_number ? `#${row.pr_number}` : 'none',
      });
      expect(job['status']).toBe(row.status);
      if (row.status === 'failed') expect(row.error).toBeTruthy();
      else expect(row.status).toBe('done');
      expect(fixJobs).toHaveLength(1);
      expect(github.pulls.length).toBeLessThanOrEqual(1);
      if (row.status === 'done') expect(github.pulls).toHaveLength(1);
      expect(await git.readFile('acme', 'shop', github.pulls[0]?.head.ref ?? 'trunk', 'src/price.js')).toBe(row.status === 'done' ? FIXED_PRICE_JS : BUGGY_PRICE_JS);
    } finally {
      if (hangingPid) process.kill(hangingPid, 'SIGKILL');
      await github.close();
      await rm(work, { recursive: true, force: true });
    }
  }, 300_000);
});
