import { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClineRunOptions, ClineRunResult } from '@epitrace/cline-runner';
import { JOBS, QUEUES, jobIds } from '@epitrace/queue-contracts';
import { FIXED_PRICE_JS, SHOP_REPO_FILES, waitFor } from '@epitrace/testing';
import { ClineRunnerPort } from '../src/fix-jobs/cline.port';
import { fixBranchName } from '../src/fix-jobs/fix-job.runner';
import { StaleFixJobSweeper } from '../src/fix-jobs/stale-fix-job.sweeper';
import { CodeAgentHarness } from './support/code-agent-harness';
import { SeededIncident } from './support/fix-fixtures';

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
  const harness = new CodeAgentHarness();
  const { token: TOKEN } = harness;
  const cline = new ScriptedCline();
  let app: INestApplication;
  let repoLink: string;
  let codeQueue: Queue;
  let downQueue: Queue;

  const seed = (token = TOKEN) => harness.seedIncident(repoLink, token);

  async function runToEnd(seeded: SeededIncident) {
    await harness.enqueueFixJob(seeded);
    return harness.waitForFixJobToFinish(seeded.fixJobId);
  }

  beforeAll(async () => {
    await harness.start({ database: 'code_agent_fix', queuePrefix: 'code-agent', workDirPrefix: 'code-agent-work-' });
    repoLink = await harness.git.createRepo('acme', 'shop', SHOP_REPO_FILES, { defaultBranch: 'trunk' });
    harness.github.addRepo('acme', 'shop', { defaultBranch: 'trunk' });
    app = await harness.startAgent(cline, {
      env: {
        FIX_STALE_AFTER_MS: '1000',
        // Only the test's own sweep() runs: a timed one racing it would see half-prepared rows.
        FIX_STALE_SWEEP_INTERVAL_MS: '3600000',
        LOG_SHIP_INTERVAL_MS: '50',
      },
    });
    codeQueue = harness.queue(QUEUES.CODE);
    downQueue = harness.queue(QUEUES.DOWN_MONITORS);
  });

  afterAll(async () => {
    await app?.close();
    await harness.stop();
  });

  beforeEach(() => {
    cline.scenario = 'fix';
  });

  it('fixes the code, pushes the incident branch and opens a draft pull request that tells the whole story', async () => {
    const seeded = await seed();
    const done = await runToEnd(seeded);

    const branch = fixBranchName(seeded.incidentId);
    expect(done).toMatchObject({ status: 'done', branch, test_command: 'npm test', baseline_test_outcome: 'failed', after_test_outcome: 'passed', error: null });
    expect(Object.keys(done.step_timestamps)).toEqual(expect.arrayContaining(['queued', 'cloning', 'baseline-tests', 'fixing', 'testing', 'pushing', 'opening-pr', 'done']));
    expect(done.finished_at).not.toBeNull();

    // The branch is on the server, based on the default branch, with only the fix in it.
    expect(await harness.git.readFile('acme', 'shop', branch, 'src/price.js')).toBe(FIXED_PRICE_JS);
    expect(await harness.git.changedFiles('acme', 'shop', 'trunk', branch)).toEqual(['src/price.js']);

    const prs = harness.github.pulls.filter((p) => p.head.ref === branch);
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
    await waitFor(() => harness.ingest.entries.some((e) => e['jobId'] === seeded.fixJobId && String(e['message']).includes('pull request #')), { what: 'the PR line in the log' });
    const lines = harness.ingest.entries.filter((e) => e['jobId'] === seeded.fixJobId);
    expect(new Set(lines.map((e) => e['stage']))).toEqual(new Set(['cloning', 'baseline-tests', 'fixing', 'testing', 'pushing', 'opening-pr', 'done']));
    expect(lines.some((e) => e['category'] === 'tests' && String(e['message']).includes('expected 6, got 7'))).toBe(true);
    expect(lines.some((e) => e['category'] === 'cline')).toBe(true);
    expect(JSON.stringify(harness.ingest.entries)).not.toContain(TOKEN);

    // Job data carries ids only; the workspace is gone.
    const queued = await codeQueue.getJob(jobIds.codeJob(seeded.fixJobId));
    expect(Object.keys(queued?.data ?? {}).sort()).toEqual(['fixJobId', 'incidentId']);
    expect(JSON.stringify(queued?.data)).not.toContain(TOKEN);
    await waitFor(async () => (await readdir(harness.workDir)).length === 0, { what: 'the workspace to be removed' });
  });

  it('does nothing for a duplicate delivery of a finished job: no second pull request', async () => {
    const seeded = await seed();
    await runToEnd(seeded);
    const before = harness.github.pulls.length;
    const calls = cline.calls.length;
    const again = await codeQueue.add(JOBS.CODE_JOB, { incidentId: seeded.incidentId, fixJobId: seeded.fixJobId }, { jobId: `${jobIds.codeJob(seeded.fixJobId)}-again` });
    await waitFor(async () => (await again.getState()) === 'completed', { what: 'the duplicate delivery' });
    expect(harness.github.pulls.length).toBe(before);
    expect(cline.calls.length).toBe(calls);
    expect((await harness.fixJobRow(seeded.fixJobId)).status).toBe('done');
  });

  it('reuses the pull request a crashed earlier attempt already opened for the incident instead of opening another', async () => {
    const seeded = await seed();
    const branch = fixBranchName(seeded.incidentId);
    const res = await fetch(`${harness.github.url}/repos/acme/shop/pulls`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'half-done', head: branch, base: 'trunk', body: 'from the crashed attempt', draft: true }),
    });
    const earlier = (await res.json()) as { number: number };
    const done = await runToEnd(seeded);
    const prs = harness.github.pulls.filter((p) => p.head.ref === branch);
    expect(prs).toHaveLength(1);
    expect(done.pr_number).toBe(earlier.number);
    expect(prs[0].body).toContain('needs human review');
    expect(prs[0].title).toBe('fix: Seed the order total with 0');
  });

  it('finishes as no-change without a branch or pull request when Cline changes nothing', async () => {
    cline.scenario = 'nothing';
    const seeded = await seed();
    const done = await runToEnd(seeded);
    expect(done).toMatchObject({ status: 'no-change', pr_url: null });
    expect((await harness.git.branches('acme', 'shop'))[fixBranchName(seeded.incidentId)]).toBeUndefined();
    expect(harness.github.pulls.some((p) => p.head.ref === fixBranchName(seeded.incidentId))).toBe(false);
    expect(await downQueue.getJob(jobIds.fixFinished(seeded.fixJobId))).toBeDefined();
  });

  it('folds commits Cline made on its own into the one fix commit by the bot', async () => {
    cline.scenario = 'commit';
    const seeded = await seed();
    const done = await runToEnd(seeded);
    expect(done).toMatchObject({ status: 'done', after_test_outcome: 'passed' });
    const branch = fixBranchName(seeded.incidentId);
    expect(await harness.git.readFile('acme', 'shop', branch, 'src/price.js')).toBe(FIXED_PRICE_JS);
    const log = execFileSync('git', ['--git-dir', join(harness.git.root, 'acme', 'shop.git'), 'log', '--format=%an', `trunk..${branch}`]).toString().trim();
    expect(log).toBe('EpiTrace Bot');
  });

  it('still opens a draft pull request when the tests fail after the change, and says so at the top', async () => {
    cline.scenario = 'break';
    const seeded = await seed();
    const done = await runToEnd(seeded);
    expect(done).toMatchObject({ status: 'done', after_test_outcome: 'failed' });
    const pr = harness.github.pulls.find((p) => p.number === done.pr_number);
    expect(pr?.draft).toBe(true);
    expect(pr?.body).toContain('The tests fail after this change');
    expect(pr?.body).toMatch(/after the fix \| ❌ failed/);
  });

  it('fails at once, with a readable reason and no retry, when Cline does not complete', async () => {
    cline.scenario = 'crash';
    const seeded = await seed();
    const done = await runToEnd(seeded);
    expect(done.status).toBe('failed');
    expect(done.error).toContain('Cline did not complete the fix (error): model refused');
    expect(done.attempts).toBe(1);
    expect(await downQueue.getJob(jobIds.fixFinished(seeded.fixJobId))).toBeDefined();
    await waitFor(async () => (await readdir(harness.workDir)).length === 0, { what: 'the workspace to be removed' });
  });

  it('fails without retrying when GitHub refuses the token, and never logs the token', async () => {
    const wrong = `ghp_${randomBytes(18).toString('hex')}`;
    const seeded = await seed(wrong);
    const done = await runToEnd(seeded);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/HTTP 401/);
    expect(done.attempts).toBe(1);
    expect(JSON.stringify(harness.ingest.entries)).not.toContain(wrong);
  });

  it('marks a job failed when its worker died and BullMQ will not run it again, and re-enqueues a queued job whose message was lost', async () => {
    const dead = await seed();
    await harness.db.query(`UPDATE fix_jobs SET status = 'fixing', heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [dead.fixJobId]);
    const lost = await seed();
    await harness.db.query(`UPDATE fix_jobs SET updated_at = now() - interval '1 hour' WHERE id = $1`, [lost.fixJobId]);

    const swept = await app.get(StaleFixJobSweeper).sweep();
    expect(swept.failed).toContain(dead.fixJobId);
    expect(swept.requeued).toContain(lost.fixJobId);
    expect(await harness.fixJobRow(dead.fixJobId)).toMatchObject({ status: 'failed' });
    expect((await harness.fixJobRow(dead.fixJobId)).error).toContain('stopped responding');
    expect(await downQueue.getJob(jobIds.fixFinished(dead.fixJobId))).toBeDefined();
    expect((await harness.waitForFixJobToFinish(lost.fixJobId, 'the re-enqueued job')).status).toBe('done');
  });
});
