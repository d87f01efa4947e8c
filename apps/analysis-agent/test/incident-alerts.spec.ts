import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertDelivery, FixJob, Incident } from '@epitrace/entities';
import { FixLinkService } from '@epitrace/fix-links';
import { JOBS } from '@epitrace/queue-contracts';
import { waitFor } from '@epitrace/testing';
import { IncidentEventsService } from '../src/incidents/incident-events.service';
import { AnalysisAgentHarness, GITHUB_TOKEN } from './support/analysis-agent-harness';

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { url?: string; text?: { text: string } }[] };
type Embed = { title: string; description: string; fields: { name: string; value: string }[]; footer: { text: string } };

const slackBlocks = (body: Record<string, unknown>) => body['blocks'] as Block[];
const discordEmbed = (body: Record<string, unknown>) => (body['embeds'] as Embed[])[0];
const embedSize = (e: Embed) => e.title.length + e.description.length + e.footer.text.length + e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);

describe('analysis-agent: incident alerts through the outbox (real Postgres, Redis, HTTP receivers)', () => {
  const h = new AnalysisAgentHarness();

  beforeAll(() => h.start(), 120_000);
  afterAll(() => h.stop());
  beforeEach(() => h.setCline({ FAKE_CLINE_SCENARIO: 'success' }));

  it('alerts Slack and Discord with the analysis and a working single-use auto-fix link when a monitor goes down', async () => {
    const s = await h.seedIncident();
    await h.enqueue(JOBS.MONITOR_DOWN, s.incident);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1 && h.messagesTo(s.discord.url).length === 1, { timeoutMs: 30_000, what: 'both alerts' });

    const slack = h.messagesTo(s.slack.url)[0].body;
    const blocks = slackBlocks(slack);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: '🔴 Shop API is DOWN' } });
    expect(JSON.stringify(blocks)).toContain('Connections are never released in src/db.js');
    const buttons = blocks.find((b) => b.type === 'actions')?.elements ?? [];
    const fixUrl = buttons.find((b) => b.text?.text.includes('Auto-fix'))?.url ?? '';
    expect(fixUrl).toMatch(/^https:\/\/epitrace\.example\.test\/alert\/trigger-agent\?token=v1\./);
    expect(buttons.some((b) => b.url?.includes(`incident=${s.incident.id}`))).toBe(true);

    const embed = discordEmbed(h.messagesTo(s.discord.url)[0].body);
    expect(embed.title).toBe('🔴 Shop API is DOWN');
    expect(embed.description).toContain('Root cause');
    expect(embed.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['Endpoint', 'Error', 'Repository', 'Suspected files', 'Confidence', 'Links']));
    expect(embed.fields.find((f) => f.name === 'Links')?.value).toContain(fixUrl);

    const token = decodeURIComponent(new URL(fixUrl).searchParams.get('token') ?? '');
    const fixLinks = h.app.get(FixLinkService);
    expect(await fixLinks.verifyFixToken(token)).toMatchObject({ status: 'valid', incidentId: s.incident.id });

    const incident = await h.dataSource.getRepository(Incident).findOneByOrFail({ id: s.incident.id });
    expect(incident.analysisStatus).toBe('completed');
    expect(incident.analysis).toMatchObject({ suspected_files: ['src/db.js'], confidence: 'high' });
    // The token reached git only as authentication, never anything that is stored or sent.
    expect(h.git.requests.some((r) => r.authorized)).toBe(true);
    expect(JSON.stringify(h.hooks.attempts)).not.toContain(GITHUB_TOKEN);
  });

  it('keeps very long analyses within the Slack and Discord limits, shortened with a link to the full text', async () => {
    const long = {
      summary: 'S'.repeat(3000),
      root_cause: 'R'.repeat(9000),
      evidence: Array.from({ length: 40 }, (_, i) => `evidence ${i} ${'e'.repeat(400)}`),
      suspected_files: Array.from({ length: 30 }, (_, i) => `src/module-${i}/${'f'.repeat(80)}.js`),
      proposed_fix: 'P'.repeat(5000),
      confidence: 'medium',
    };
    h.setCline({ FAKE_CLINE_SCENARIO: 'success', FAKE_CLINE_TEXT: JSON.stringify(long) });
    const s = await h.seedIncident();
    await h.enqueue(JOBS.MONITOR_DOWN, s.incident);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1 && h.messagesTo(s.discord.url).length === 1, { timeoutMs: 30_000, what: 'both alerts' });

    const embed = discordEmbed(h.messagesTo(s.discord.url)[0].body);
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    for (const f of embed.fields) expect(f.value.length).toBeLessThanOrEqual(1024);
    expect(embedSize(embed)).toBeLessThanOrEqual(6000);
    expect(embed.description).toContain('[full analysis](https://epitrace.example.test/dashboard?');

    const blocks = slackBlocks(h.messagesTo(s.slack.url)[0].body);
    for (const b of blocks) if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(blocks)).toContain('|full analysis>');
  });

  it('retries a 500 and honours 429 Retry-After (Slack) and retry_after (Discord), posting each alert once', async () => {
    const s = await h.seedIncident();
    h.hooks.respond(s.slack.url, { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    h.hooks.respond(s.discord.url, { status: 500, body: { message: 'internal' } });
    await h.enqueue(JOBS.MONITOR_DOWN, s.incident);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1 && h.messagesTo(s.discord.url).length === 1, { timeoutMs: 30_000, what: 'both alerts' });
    const slackAttempts = h.attemptsTo(s.slack.url);
    expect(slackAttempts).toHaveLength(2);
    expect(slackAttempts[1].receivedAt - slackAttempts[0].receivedAt).toBeGreaterThanOrEqual(1000);
    expect(h.attemptsTo(s.discord.url)).toHaveLength(2);

    const s2 = await h.seedIncident();
    h.hooks.respond(s2.discord.url, { status: 429, headers: { 'retry-after': '1' }, body: { message: 'You are being rate limited.', retry_after: 0.7, global: false } });
    await h.enqueue(JOBS.MONITOR_DOWN, s2.incident);
    await waitFor(() => h.messagesTo(s2.discord.url).length === 1, { timeoutMs: 30_000, what: 'discord alert' });
    const discordAttempts = h.attemptsTo(s2.discord.url);
    expect(discordAttempts[1].receivedAt - discordAttempts[0].receivedAt).toBeGreaterThanOrEqual(700);

    const rows = await waitFor(async () => {
      const found = await h.dataSource.getRepository(AlertDelivery).findBy({ incidentId: s.incident.id });
      return found.every((r) => r.status === 'sent') ? found : undefined;
    }, { what: 'both deliveries to be marked sent' });
    expect(rows.map((r) => r.eventKey)).toEqual(['down', 'down']);
  });

  it('never posts twice when the job is retried after a partial failure, or run again, or run concurrently', async () => {
    const s = await h.seedIncident();
    // Both in-process attempts fail: the job fails, BullMQ retries it, the Discord message already sent is not repeated.
    h.hooks.respond(s.slack.url, { status: 503 }, { status: 503 });
    await h.enqueue(JOBS.MONITOR_DOWN, s.incident);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1, { timeoutMs: 40_000, what: 'slack alert after the job retry' });
    expect(h.attemptsTo(s.slack.url)).toHaveLength(3);
    expect(h.messagesTo(s.discord.url)).toHaveLength(1);
    // The receiver has the message a moment before the outbox row says so.
    const delivery = await waitFor(async () => {
      const [row] = await h.dataSource.getRepository(AlertDelivery).findBy({ incidentId: s.incident.id, webhookId: s.slack.id });
      return row?.status === 'sent' ? row : undefined;
    }, { what: 'the slack delivery to be marked sent' });
    expect(delivery.attempts).toBe(2);

    const events = h.app.get(IncidentEventsService);
    await Promise.all([events.monitorDown(s.incident.id), events.monitorDown(s.incident.id)]);
    await events.monitorDown(s.incident.id);
    expect(h.messagesTo(s.slack.url)).toHaveLength(1);
    expect(h.messagesTo(s.discord.url)).toHaveLength(1);
  });

  it('runs Cline once for an incident whose job runs twice at the same time', async () => {
    const record = join(mkdtempSync(join(tmpdir(), 'cline-record-')), 'calls.ndjson');
    h.setCline({ FAKE_CLINE_SCENARIO: 'slow', FAKE_CLINE_DELAY_MS: '1500', FAKE_CLINE_RECORD: record });
    const s = await h.seedIncident();
    const events = h.app.get(IncidentEventsService);
    await Promise.all([events.monitorDown(s.incident.id), events.monitorDown(s.incident.id)]);
    const runs = readFileSync(record, 'utf8').split('\n').filter((l) => l.includes('--plan'));
    expect(runs).toHaveLength(1);
    expect(h.messagesTo(s.slack.url)).toHaveLength(1);
    expect(JSON.stringify(h.messagesTo(s.discord.url)[0].body)).toContain('Root cause');
  });

  it('sends the alert marked "analysis unavailable" with the reason when Cline fails', async () => {
    h.setCline({ FAKE_CLINE_SCENARIO: 'error', FAKE_CLINE_ERROR: 'Provider returned 401 Unauthorized' });
    const s = await h.seedIncident();
    await h.enqueue(JOBS.MONITOR_DOWN, s.incident);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1 && h.messagesTo(s.discord.url).length === 1, { timeoutMs: 30_000, what: 'both alerts' });
    expect(JSON.stringify(h.messagesTo(s.slack.url)[0].body)).toMatch(/analysis unavailable: cline finished with \\"error\\": Provider returned 401 Unauthorized/);
    expect(discordEmbed(h.messagesTo(s.discord.url)[0].body).description).toContain('analysis unavailable');
    const incident = await h.dataSource.getRepository(Incident).findOneByOrFail({ id: s.incident.id });
    expect(incident).toMatchObject({ analysisStatus: 'failed', analysis: null });
    expect(incident.analysisError).toContain('401 Unauthorized');
  });

  it('does not hold the alert for a slow analysis: it goes out within the budget and the analysis follows', async () => {
    h.setCline({ FAKE_CLINE_SCENARIO: 'slow', FAKE_CLINE_DELAY_MS: '8000' });
    const s = await h.seedIncident();
    await h.enqueue(JOBS.MONITOR_DOWN, s.incident);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1, { timeoutMs: 30_000, what: 'the first alert' });
    const first = h.messagesTo(s.slack.url)[0];
    expect((await h.dataSource.getRepository(Incident).findOneByOrFail({ id: s.incident.id })).analysisStatus).toBe('running');
    expect(JSON.stringify(first.body)).toContain('analysis unavailable: still running after 4 s');
    await waitFor(() => h.messagesTo(s.slack.url).length === 2 && h.messagesTo(s.discord.url).length === 2, { timeoutMs: 30_000, what: 'the follow-ups' });
    const followUp = h.messagesTo(s.slack.url)[1].body;
    expect(slackBlocks(followUp)[0].text?.text).toBe('🔎 Analysis of Shop API outage');
    expect(JSON.stringify(followUp)).toContain('Connections are never released');
    const fixButton = (body: Record<string, unknown>) => slackBlocks(body).find((b) => b.type === 'actions')?.elements?.find((e) => e.text?.text.includes('Auto-fix'))?.url;
    expect(fixButton(followUp)).toBeDefined();
    expect(fixButton(followUp)).toBe(fixButton(first.body));
  });

  it('sends the alert without analysis when Cline hangs past the analysis deadline', async () => {
    h.setCline({ FAKE_CLINE_SCENARIO: 'hang' });
    const s = await h.seedIncident();
    await h.enqueue(JOBS.MONITOR_DOWN, s.incident);
    await waitFor(() => h.messagesTo(s.discord.url).length === 1, { timeoutMs: 30_000, what: 'the alert' });
    expect(discordEmbed(h.messagesTo(s.discord.url)[0].body).description).toContain('analysis unavailable: still running');
    const incident = await waitFor(
      async () => {
        const i = await h.dataSource.getRepository(Incident).findOneByOrFail({ id: s.incident.id });
        return i.analysisStatus === 'timed_out' ? i : undefined;
      },
      { timeoutMs: 60_000, what: 'the analysis to time out' },
    );
    expect(incident.analysisError).toContain('did not finish within 12 s');
    expect(h.messagesTo(s.discord.url)).toHaveLength(1);
  });

  it('falls back to all of the owner\'s active webhooks when none is linked to the monitor, and leaves out the fix link without a GitHub token', async () => {
    const s = await h.seedIncident({ linkWebhooks: false, linkToken: false });
    await h.enqueue(JOBS.MONITOR_DOWN, s.incident);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1 && h.messagesTo(s.discord.url).length === 1, { timeoutMs: 30_000, what: 'both alerts' });
    expect(JSON.stringify(h.messagesTo(s.slack.url)[0].body)).not.toContain('trigger-agent');
  });

  it('announces the recovery with the outage duration', async () => {
    const s = await h.seedIncident();
    const resolvedAt = new Date(s.incident.openedAt.getTime() + 65 * 60_000);
    await h.dataSource.getRepository(Incident).update(s.incident.id, { state: 'resolved', resolvedAt });
    await h.enqueue(JOBS.MONITOR_RECOVERED, s.incident);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1 && h.messagesTo(s.discord.url).length === 1, { timeoutMs: 30_000, what: 'recovery messages' });
    expect(slackBlocks(h.messagesTo(s.slack.url)[0].body)[0].text?.text).toBe('✅ Shop API is back UP');
    expect(discordEmbed(h.messagesTo(s.discord.url)[0].body).description).toContain('outage of 1h 5m');
  });

  it('follows up a finished fix with the pull request link, once per fix job', async () => {
    const s = await h.seedIncident();
    const fixJob = await h.dataSource.getRepository(FixJob).save({
      incidentId: s.incident.id,
      monitorId: s.monitor.id,
      userId: s.user.id,
      status: 'done',
      prUrl: 'https://github.com/acme/shop-api/pull/7',
      prNumber: 7,
      branch: 'epitrace/fix-1',
      afterTestOutcome: 'passed',
      finishedAt: new Date(),
    });
    await h.enqueueFixFinished(s.incident.id, fixJob.id);
    await waitFor(() => h.messagesTo(s.slack.url).length === 1 && h.messagesTo(s.discord.url).length === 1, { timeoutMs: 30_000, what: 'fix messages' });
    expect(JSON.stringify(h.messagesTo(s.slack.url)[0].body)).toContain('https://github.com/acme/shop-api/pull/7');
    const rows = await h.dataSource.getRepository(AlertDelivery).findBy({ incidentId: s.incident.id });
    expect(new Set(rows.map((r) => r.eventKey))).toEqual(new Set([`fix:${fixJob.id}`]));
  });
  // Runs last: looks at everything the agent logged while the tests above handled their incidents.
  it('stamps every line about an incident with the incident and its monitor, and queue work with the job', async () => {
    const incidents = await h.dataSource.getRepository(Incident).find();
    const lines = h.logs.parsed();
    let checked = 0;
    for (const incident of incidents) {
      // The processor's own summary line names what its job names (a fix-finished event names no monitor).
      const about = lines.filter((l) => (String(l.msg).includes(incident.id) || l['incidentId'] === incident.id) && l['context'] !== 'IncidentEventsProcessor');
      // The message leads, so a failure shows which line lacks its ids.
      for (const line of about) expect({ msg: line.msg, incidentId: line['incidentId'], monitorId: line['monitorId'] }).toEqual({ msg: line.msg, incidentId: incident.id, monitorId: incident.monitorId });
      checked += about.length;
    }
    expect(checked).toBeGreaterThan(incidents.length * 2);
    // Work that came off the queue also names the job (two tests above call the service directly).
    const processed = lines.filter((l) => l['context'] === 'IncidentEventsProcessor');
    expect(processed.length).toBeGreaterThan(0);
    for (const line of processed) expect(line).toMatchObject({ jobId: expect.any(String), incidentId: expect.any(String) });
    // Deliveries and analyses name no id in their text: the fields alone tie them to the outage.
    const deliveries = lines.filter((l) => String(l.msg).startsWith('alert delivered to'));
    expect(deliveries.length).toBeGreaterThan(0);
    for (const line of deliveries) expect(line).toMatchObject({ incidentId: expect.any(String), monitorId: expect.any(String) });
  });
});
