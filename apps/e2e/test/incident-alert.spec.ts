import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FakeChatWebhooks,
  FakeGitServer,
  TestDatabase,
  createTestDatabase,
  deleteKeysWithPrefix,
  getFreePort,
  startFakeChatWebhooks,
  startGitHttpServer,
  uniqueQueuePrefix,
  waitFor,
} from '@epitrace/testing';
import { ApiUser } from './support/api-user';
import { API_TEST_ENV, RunningApp, deploymentEnv, startApp } from './support/app-processes';
import { clineEnv } from './support/fake-cline';

const GITHUB_TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const CHECK_INTERVAL_S = 10;
const FAILURE_THRESHOLD = 2;

type Block = { type: string; text?: { text: string }; elements?: { url?: string; text?: { text: string } }[] };
type Embed = { title: string; description: string; fields: { name: string; value: string }[] };

/** The watched service: healthy until the test breaks it. */
async function startTarget(): Promise<{ url: string; healthy: boolean; server: Server }> {
  const state = { url: '', healthy: true, server: undefined as unknown as Server };
  state.server = createServer((_req, res) => {
    if (state.healthy) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    else res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"pool exhausted"}');
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/health`;
  return state;
}

describe('incident alert, end to end with the built apps', () => {
  let db: TestDatabase;
  const prefix = uniqueQueuePrefix('alert');
  let git: FakeGitServer;
  let hooks: FakeChatWebhooks;
  let target: Awaited<ReturnType<typeof startTarget>>;
  const apps: RunningApp[] = [];
  let apiUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_alert');
    git = await startGitHttpServer({ token: GITHUB_TOKEN });
    hooks = await startFakeChatWebhooks();
    target = await startTarget();
    const apiPort = await getFreePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const shared = { ...deploymentEnv(db.url, prefix), PUBLIC_URL: apiUrl };
    apps.push(await startApp('api', apiPort, { ...shared, ...API_TEST_ENV }));
    apps.push(await startApp('monitor-worker', await getFreePort(), shared));
    // The fake `cline` answers at once, like a model that replies immediately.
    apps.push(
      await startApp('analysis-agent', await getFreePort(), {
        ...shared,
        ALLOW_HTTP_REMOTES: 'true',
        ...clineEnv(),
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await new Promise((r) => target?.server.close(r));
    await hooks?.close();
    await git?.close();
    await db?.drop();
    await deleteKeysWithPrefix(prefix);
  });

  it('target goes down → incident → Slack and Discord messages with the analysis and a valid trigger link, in time', async () => {
    const user = await ApiUser.register(apiUrl, 'oncall@example.com');

    const repoUrl = await git.createRepo('acme', 'shop-api', { 'src/db.js': 'module.exports = {};\n' });
    const slackUrl = hooks.slackUrl();
    const discordUrl = hooks.discordUrl();
    const slackId = await user.create('/webhook', { provider: 'slack', webhook_url: slackUrl });
    const discordId = await user.create('/webhook', { provider: 'discord', webhook_url: discordUrl });
    const tokenId = await user.create('/github-token', { access_token: GITHUB_TOKEN });
    const monitorId = await user.create('/monitor/create', { name: 'Shop API', url: target.url, repo_link: repoUrl, method: 'GET', check_interval: CHECK_INTERVAL_S, timeout: 2, failure_threshold: FAILURE_THRESHOLD, is_active: true });
    for (const path of [`/webhook/monitor/${monitorId}/add/${slackId}`, `/webhook/monitor/${monitorId}/add/${discordId}`, `/github-token/monitor/${monitorId}/add/${tokenId}`]) {
      expect((await user.fetch(path, { method: 'POST' })).status).toBe(201);
    }
    await waitFor(async () => ((await (await user.fetch(`/monitor/${monitorId}`)).json()) as { data: { status: string } }).data.status === 'UP', { timeoutMs: 30_000, what: 'the monitor to be UP' });

    target.healthy = false;
    const downAt = Date.now();
    await waitFor(() => hooks.messages.length >= 2, { timeoutMs: 60_000, intervalMs: 50, what: 'the Slack and Discord alerts' });
    const slack = hooks.messages.find((m) => m.provider === 'slack');
    const discord = hooks.messages.find((m) => m.provider === 'discord');
    if (!slack || !discord) throw new Error('expected one Slack and one Discord message');
    const bound = FAILURE_THRESHOLD * CHECK_INTERVAL_S * 1000 + 5000;
    const latest = Math.max(slack.receivedAt, discord.receivedAt) - downAt;
    process.stdout.write(`incident-alert e2e: target down → both alerts in ${latest} ms (bound ${bound} ms)\n`);
    expect(latest).toBeLessThanOrEqual(bound);

    const blocks = slack.body['blocks'] as Block[];
    expect(blocks[0].text?.text).toBe('🔴 Shop API is DOWN');
    expect(JSON.stringify(blocks)).toContain('Root cause');
    const fixUrl = blocks.find((b) => b.type === 'actions')?.elements?.find((e) => e.text?.text.includes('Auto-fix'))?.url ?? '';
    expect(fixUrl.startsWith(`${apiUrl}/alert/trigger-agent?token=`)).toBe(true);
    const embed = (discord.body['embeds'] as Embed[])[0];
    expect(embed.description).toContain('Root cause');
    expect(embed.fields.find((f) => f.name === 'Links')?.value).toContain(fixUrl);

    // The link is one the api accepts (its confirmation page), and a tampered one it refuses.
    const page = await fetch(fixUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const tampered = await fetch(`${fixUrl.slice(0, -3)}AAA`, { headers: { accept: 'text/html' } });
    expect(tampered.status).toBeGreaterThanOrEqual(400);
    expect(tampered.status).toBeLessThan(500);

    const incidents = (await (await user.fetch(`/monitor/${monitorId}/incidents`)).json()) as { data: Record<string, unknown>[] };
    expect(incidents.data[0]).toMatchObject({ state: 'open' });
    expect(JSON.stringify(incidents.data[0])).toContain('src/db.js');
    expect(JSON.stringify(hooks.attempts)).not.toContain(GITHUB_TOKEN);

    // The target heals: the monitor-worker resolves the incident and the team hears it, with the outage duration.
    target.healthy = true;
    await waitFor(() => hooks.messages.filter((m) => m.provider === 'slack').length >= 2 && hooks.messages.filter((m) => m.provider === 'discord').length >= 2, {
      timeoutMs: 90_000,
      what: 'the recovery messages',
    });
    const recovered = hooks.messages.filter((m) => m.provider === 'discord')[1];
    const recoveredEmbed = (recovered.body['embeds'] as Embed[])[0];
    expect(recoveredEmbed.title).toBe('✅ Shop API is back UP');
    expect(recoveredEmbed.fields.find((f) => f.name === 'Outage duration')?.value).toMatch(/^\d+m? ?\d*s?$/);
    expect(hooks.messages).toHaveLength(4);
  });
});
