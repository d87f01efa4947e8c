import { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ClineRunOptions, ClineRunResult } from '@epitrace/cline-runner';
import { redisOptionsFromUrl } from '@epitrace/config';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';
import {
  FakeGitHubApi,
  FakeGitServer,
  TEST_REDIS_URL,
  TestDatabase,
  createTestDatabase,
  deleteKeysWithPrefix,
  startFakeGitHubApi,
  startGitHttpServer,
  uniqueQueuePrefix,
  waitFor,
} from '@epitrace/testing';
import { AppModule } from '../src/app.module';
import { loadCodeAgentConfig } from '../src/config/code-agent.config';
import { CLINE_RUNNER, ClineRunnerPort } from '../src/fix-jobs/cline.port';
import { fixBranchName } from '../src/fix-jobs/fix-job.runner';
import { StaleFixJobSweeper } from '../src/fix-jobs/stale-fix-job.sweeper';
import { BUGGY_REPO_FILES, FIXED_PRICE_JS, IngestReceiver, seedIncident, startIngestReceiver } from './support/fix-fixtures';

const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const INGEST_SECRET = randomBytes(24).toString('base64url');

type Scenario = 'fix' | 'nothing' | 'break' | 'crash' | 'commit';

/** Stands in for the Cline CLI at the runner boundary (the e2e suite runs the real runner with the fake CLI). */
class ScriptedCline implements ClineRunnerPort {
  scenario: Scenario = 'fix';
  calls: ClineRunOptions[] = [];
  seen: { context: string; gitConfig: string }[] = [];

  async run(options: ClineRunOptions): Promise<ClineRunResult> {
    this.calls.push(options);
    this.seen.push({
      context: await readFile(join(options.workdir, '.epitrace/fix-context.md'), 'utf8'),
      gitConfig: await readFile(join(options.workdir, '.git/config'), 'utf8'),
    });
    options.onEvent?.({ ts: new Date().toISOString(), kind: 'agent_event', tool: 'write_to_file', message: 'editing src/price.js' });
    if (this.scenario === 'fix') await writeFile(join(options.workdir, 'src/price.js'), FIXED_PRICE_JS);
    if (this.scenario === 'commit') {
      await writeFile(join(options.workdir, 'src/price.js'), FIXED_PRICE_JS);
      const git = (...args: string[]) => execFileSync('git', ['-C', options.workdir, '-c', 'user.name=agent', '-c', 'user.email=agent@example.test', ...args]);
      git('add', '-A', 'src');
      git('commit', '-q', '-m', 'agent commit');
    }
        if (this.scenario === 'break') await writeFile(join(options.workdir, 'src/price.js'), 'module.exports = () => 42;\n');
    const base = { text: 'Seed the order total with 0\n\nreduce() started at 1, so every total was one too high.', exitCode: 0, signal: null, stderrTail: '', durationMs: 5, eventCount: 1 };
    if (this.scenario === 'crash') return { ...base, outcome: 'error', text: '', exitCode: 1, stderrTail: 'model refused' };
    return { ...base, outcome: 'completed' };
  }
}

describe('code-agent fix jobs (real Postgres, Redis, git smart-HTTP server, fake GitHub API)', () => {
  let database: TestDatabase;
  let prefix: string;
  let git: FakeGitServer;
  let github: FakeGitHubApi;
  let ingest: IngestReceiver;
  let workDir: string;
  let app: INestApplication;
  let codeQueue: Queue;
  let downQueue: Queue;
  let db: Client;
  let repoLink: string;
  const cline = new ScriptedCline();

  const connection = redisOptionsFromUrl(TEST_REDIS_URL);

  async function row(id: string) {
    const { rows } = await db.query('SELECT * FROM fix_jobs WHERE id = $1', [id]);
    return rows[0];
  }

  async function runToEnd(fixJobId: string, incidentId: string) {
    await codeQueue.add(JOBS.CODE_JOB, buildPayload(JOBS.CODE_JOB, { incidentId, fixJobId }), { ...JOB_OPTIONS.codeJob, jobId: jobIds.codeJob(fixJobId) });
    return waitFor(async () => {
      const r = await row(fixJobId);
      return ['done', 'failed', 'no-change'].includes(r.status) ? r : null;
    }, { timeoutMs: 60_000, what: `fix job ${fixJobId} to finish` });
  }

  beforeAll(async () => {
    database = await createTestDatabase('code_agent_fix');
    prefix = uniqueQueuePrefix('code-agent');
    git = await startGitHttpServer({ token: TOKEN });
    repoLink = await git.createRepo('acme', 'shop', BUGGY_REPO_FILES, { defaultBranch: 'trunk' });
    github = await startFakeGitHubApi({ token: TOKEN, htmlBase: git.url });
    github.addRepo('acme', 'shop', { defaultBranch: 'trunk' });
    ingest = await startIngestReceiver(INGEST_SECRET);
    workDir = await mkdtemp(join(tmpdir(), 'code-agent-work-'));
    const config = loadCodeAgentConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY,
      INGEST_SECRET,
      INGEST_URL: ingest.url,
      GITHUB_API_URL: github.url,
      ALLOW_HTTP_REMOTES: 'true',
      FIX_WORK_DIR: workDir,
      FIX_STALE_AFTER_MS: '1000',
      // Only the test's own sweep() runs: a timed one racing it would see half-prepared rows.
      FIX_STALE_SWEEP_INTERVAL_MS: '3600000',
      LOG_SHIP_INTERVAL_MS: '50',
      PATH: process.env['PATH'],
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(CLINE_RUNNER)
      .useValue(cline)
      .compile();
    app = moduleRef.createNestApplication();
    await app.init();
    codeQueue = new Queue(QUEUES.CODE, { connection, prefix });
    downQueue = new Queue(QUEUES.DOWN_MONITORS, { connection, prefix });
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await app?.close();
    await codeQueue?.close();
    await downQueue?.close();
    await db?.end();
    await Promise.all([git?.close(), github?.close(), ingest?.close()]);
    await rm(workDir, { recursive: true, force: true });
    await deleteKeysWithPrefix(prefix);
    await database?.drop();
  });

  beforeEach(() => {
    cline.scenario = 'fix';
  });

  it('fixes the code, pushes the incident branch and opens a draft pull request that tells the whole story', async () => {
    const seeded = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    const done = await runToEnd(seeded.fixJobId, seeded.incidentId);

    const branch = fixBranchName(seeded.incidentId);
    expect(done).toMatchObject({ status: 'done', branch, test_command: 'npm test', baseline_test_outcome: 'failed', after_test_outcome: 'passed', error: null });
    expect(Object.keys(done.step_timestamps)).toEqual(expect.arrayContaining(['queued', 'cloning', 'baseline-tests', 'fixing', 'testing', 'pushing', 'opening-pr', 'done']));
    expect(done.finished_at).not.toBeNull();

    // The branch is on the server, based on the default branch, with only the fix in it.
    expect(await git.readFile('acme', 'shop', branch, 'src/price.js')).toBe(FIXED_PRICE_JS);
    expect(await git.changedFiles('acme', 'shop', 'trunk', branch)).toEqual(['src/price.js']);

    const prs = github.pulls.filter((p) => p.head.ref === branch);
    expect(prs).toHaveLength(1);
    const [pr] = prs;
    expect(done.pr_url).toBe(pr.html_url);
    expect(done.pr_number).toBe(pr.number);
    expect(pr).toMatchObject({ draft: true, base: { ref: 'trunk' }, title: 'fix: Seed the order total with 0' });
    expect(pr.body).toContain('needs human review');
    expect(pr.body).toContain('POST https://shop.example.test/api/checkout');
    expect(pr.body).toContain('HTTP 500: checkout total is off by one');
    expect(pr.body).toContain('2026-11-25T21:00:00.000Z');
    expect(pr.body).toContain('reduce() in src/price.js is seeded with 1.');
    expect(pr.body).toContain('`src/price.js` (modified)');
    expect(pr.body).toMatch(/before the fix \| ❌ failed/);
    expect(pr.body).toMatch(/after the fix \| ✅ passed/);
    expect(pr.body).not.toContain('Do not merge as is');

    // Cline got the incident in a context file, in act mode, in a workspace whose git config holds no token.
    const call = cline.calls.at(-1) as ClineRunOptions;
    expect(call.mode).toBe('act');
    expect(call.prompt).toContain('.epitrace/fix-context.md');
    expect(call.prompt).not.toContain(TOKEN);
    expect(cline.seen.at(-1)?.context).toContain('reduce() in src/price.js is seeded with 1.');
    expect(cline.seen.at(-1)?.context).toContain('npm test');
    expect(cline.seen.at(-1)?.gitConfig).not.toContain(TOKEN);
    expect(cline.seen.at(-1)?.gitConfig).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));

    // The team hears about it through the analysis-agent.
    const finished = await downQueue.getJob(jobIds.fixFinished(seeded.fixJobId));
    expect(finished?.name).toBe(JOBS.FIX_FINISHED);
    expect(finished?.data).toEqual({ incidentId: seeded.incidentId, fixJobId: seeded.fixJobId });

    // Every step reached the live log, tagged with the job, and the token none of it.
    await waitFor(() => ingest.entries.some((e) => e['jobId'] === seeded.fixJobId && String(e['message']).includes('pull request #')), { what: 'the PR line in the log' });
    const lines = ingest.entries.filter((e) => e['jobId'] === seeded.fixJobId);
    expect(new Set(lines.map((e) => e['stage']))).toEqual(new Set(['cloning', 'baseline-tests', 'fixing', 'testing', 'pushing', 'opening-pr', 'done']));
    expect(lines.some((e) => e['category'] === 'tests' && String(e['message']).includes('expected 6, got 7'))).toBe(true);
    expect(lines.some((e) => e['category'] === 'cline')).toBe(true);
    expect(JSON.stringify(ingest.entries)).not.toContain(TOKEN);

    // Job data carries ids only; the workspace is gone.
    const queued = await codeQueue.getJob(jobIds.codeJob(seeded.fixJobId));
    expect(Object.keys(queued?.data ?? {}).sort()).toEqual(['fixJobId', 'incidentId']);
    expect(JSON.stringify(queued?.data)).not.toContain(TOKEN);
    await waitFor(async () => (await readdir(workDir)).length === 0, { what: 'the workspace to be removed' });
  });

  it('does nothing for a duplicate delivery of a finished job: no second pull request', async () => {
    const seeded = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    await runToEnd(seeded.fixJobId, seeded.incidentId);
    const before = github.pulls.length;
    const calls = cline.calls.length;
    const again = await codeQueue.add(JOBS.CODE_JOB, { incidentId: seeded.incidentId, fixJobId: seeded.fixJobId }, { jobId: `${jobIds.codeJob(seeded.fixJobId)}-again` });
    await waitFor(async () => (await again.getState()) === 'completed', { what: 'the duplicate delivery' });
    expect(github.pulls.length).toBe(before);
    expect(cline.calls.length).toBe(calls);
    expect((await row(seeded.fixJobId)).status).toBe('done');
  });

  it('reuses the pull request a crashed earlier attempt already opened for the incident instead of opening another', async () => {
    const seeded = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    const branch = fixBranchName(seeded.incidentId);
    const res = await fetch(`${github.url}/repos/acme/shop/pulls`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'half-done', head: branch, base: 'trunk', body: 'from the crashed attempt', draft: true }),
    });
    const earlier = (await res.json()) as { number: number };
    const done = await runToEnd(seeded.fixJobId, seeded.incidentId);
    const prs = github.pulls.filter((p) => p.head.ref === branch);
    expect(prs).toHaveLength(1);
    expect(done.pr_number).toBe(earlier.number);
    expect(prs[0].body).toContain('needs human review');
    expect(prs[0].title).toBe('fix: Seed the order total with 0');
  });

  it('finishes as no-change without a branch or pull request when Cline changes nothing', async () => {
    cline.scenario = 'nothing';
    const seeded = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    const done = await runToEnd(seeded.fixJobId, seeded.incidentId);
    expect(done).toMatchObject({ status: 'no-change', pr_url: null });
    expect((await git.branches('acme', 'shop'))[fixBranchName(seeded.incidentId)]).toBeUndefined();
    expect(github.pulls.some((p) => p.head.ref === fixBranchName(seeded.incidentId))).toBe(false);
    expect(await downQueue.getJob(jobIds.fixFinished(seeded.fixJobId))).toBeDefined();
  });

  it('folds commits Cline made on its own into the one fix commit by the bot', async () => {
    cline.scenario = 'commit';
    const seeded = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    const done = await runToEnd(seeded.fixJobId, seeded.incidentId);
    expect(done).toMatchObject({ status: 'done', after_test_outcome: 'passed' });
    const branch = fixBranchName(seeded.incidentId);
    expect(await git.readFile('acme', 'shop', branch, 'src/price.js')).toBe(FIXED_PRICE_JS);
    const log = execFileSync('git', ['--git-dir', join(git.root, 'acme', 'shop.git'), 'log', '--format=%an', `trunk..${branch}`]).toString().trim();
    expect(log).toBe('EpiTrace Bot');
  });

  it('still opens a draft pull request when the tests fail after the change, and says so at the top', async () => {
    cline.scenario = 'break';
    const seeded = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    const done = await runToEnd(seeded.fixJobId, seeded.incidentId);
    expect(done).toMatchObject({ status: 'done', after_test_outcome: 'failed' });
    const pr = github.pulls.find((p) => p.number === done.pr_number);
    expect(pr?.draft).toBe(true);
    expect(pr?.body).toContain('The tests fail after this change');
    expect(pr?.body).toMatch(/after the fix \| ❌ failed/);
  });

  it('fails at once, with a readable reason and no retry, when Cline does not complete', async () => {
    cline.scenario = 'crash';
    const seeded = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    const done = await runToEnd(seeded.fixJobId, seeded.incidentId);
    expect(done.status).toBe('failed');
    expect(done.error).toContain('Cline did not complete the fix (error): model refused');
    expect(done.attempts).toBe(1);
    expect(await downQueue.getJob(jobIds.fixFinished(seeded.fixJobId))).toBeDefined();
    await waitFor(async () => (await readdir(workDir)).length === 0, { what: 'the workspace to be removed' });
  });

  it('fails without retrying when GitHub refuses the token, and never logs the token', async () => {
    const wrong = `ghp_${randomBytes(18).toString('hex')}`;
    const seeded = await seedIncident(database.url, { repoLink, token: wrong, encryptionKey: ENCRYPTION_KEY });
    const done = await runToEnd(seeded.fixJobId, seeded.incidentId);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/HTTP 401/);
    expect(done.attempts).toBe(1);
    expect(JSON.stringify(ingest.entries)).not.toContain(wrong);
  });

  it('marks a job failed when its worker died and BullMQ will not run it again, and re-enqueues a queued job whose message was lost', async () => {
    const dead = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    await db.query(`UPDATE fix_jobs SET status = 'fixing', heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [dead.fixJobId]);
    const lost = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    await db.query(`UPDATE fix_jobs SET updated_at = now() - interval '1 hour' WHERE id = $1`, [lost.fixJobId]);

    const swept = await app.get(StaleFixJobSweeper).sweep();
    expect(swept.failed).toContain(dead.fixJobId);
    expect(swept.requeued).toContain(lost.fixJobId);
    expect(await row(dead.fixJobId)).toMatchObject({ status: 'failed' });
    expect((await row(dead.fixJobId)).error).toContain('stopped responding');
    expect(await downQueue.getJob(jobIds.fixFinished(dead.fixJobId))).toBeDefined();
    await waitFor(async () => ['done', 'failed', 'no-change'].includes((await row(lost.fixJobId)).status), { timeoutMs: 60_000, what: 'the re-enqueued job' });
    expect((await row(lost.fixJobId)).status).toBe('done');
  });
});
