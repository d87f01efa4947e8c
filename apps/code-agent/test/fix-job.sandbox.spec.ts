import { INestApplication } from '@nestjs/common';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClineRunOptions, ClineRunResult } from '@epitrace/cline-runner';
import { processesOfUid } from '@epitrace/sandbox';
import { FIXED_PRICE_JS, SHOP_REPO_FILES, waitFor } from '@epitrace/testing';
import { ClineRunnerPort } from '../src/fix-jobs/cline.port';
import { CodeAgentHarness } from './support/code-agent-harness';

/** Ids no other spec file uses: the agent's pool kills every process of its uids. */
const SANDBOX_BASE = 61_300;

/**
 * The shop's test, which also leaves what real test runs leave: a file in the checkout, a cache in
 * HOME and a server it started in the background and never stopped (in a process group of its own).
 */
const TEST_THAT_WRITES = `const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
fs.writeFileSync('test-report.txt', 'uid ' + process.getuid() + '\\n');
fs.mkdirSync(path.join(os.homedir(), '.cache'), { recursive: true });
fs.writeFileSync(path.join(os.homedir(), '.cache', 'shop'), 'cached');
console.log('tests ran as uid ' + process.getuid());
const server = require('node:child_process').spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
server.unref();
console.log('left a server running, pid ' + server.pid);
${SHOP_REPO_FILES['test.js']}`;

/**
 * Fixes the price, noting who owned the checkout it was handed and which sandbox user the run was
 * given. With `meet` set, each run waits until that many runs are under way: jobs that overlap.
 */
class FixingCline implements ClineRunnerPort {
  checkoutOwners: number[] = [];
  users: ({ uid: number; gid: number } | undefined)[] = [];
  meet = 1;
  private arrived = 0;
  private allArrived: () => void = () => undefined;
  private readonly together = new Promise<void>((resolve) => (this.allArrived = resolve));

  async run(options: ClineRunOptions): Promise<ClineRunResult> {
    this.checkoutOwners.push((await stat(options.workdir)).uid);
    this.users.push(options.sandboxUser);
    if (++this.arrived >= this.meet) this.allArrived();
    if (this.meet > 1) await this.together;
    await writeFile(join(options.workdir, 'src/price.js'), FIXED_PRICE_JS);
    return { outcome: 'completed', text: 'Seed the order total with 0', exitCode: 0, signal: null, stderrTail: '', durationMs: 1, eventCount: 0 };
  }
}

(process.getuid?.() === 0 ? describe : describe.skip)('code-agent fix job with SANDBOX_MODE=user (the service runs as root)', () => {
  const harness = new CodeAgentHarness();
  const cline = new FixingCline();
  let app: INestApplication;

  beforeAll(async () => {
    await harness.start({ database: 'code_agent_sandbox', queuePrefix: 'code-sandbox', workDirPrefix: 'code-agent-sandbox-' });
    harness.github.addRepo('acme', 'shop', { defaultBranch: 'main' });
    app = await harness.startAgent(cline, { env: { SANDBOX_MODE: 'user', SANDBOX_UID: String(SANDBOX_BASE), SANDBOX_GID: String(SANDBOX_BASE), SANDBOX_ID_COUNT: '2', CODE_AGENT_CONCURRENCY: '2', LOG_SHIP_INTERVAL_MS: '50' } });
  });

  afterAll(async () => {
    await app?.close();
    await harness.stop();
  });

  it('runs the repository tests as the sandbox user, who can write in the checkout and HOME, and the service commits and pushes afterwards', async () => {
    const repoLink = await harness.git.createRepo('acme', 'shop', { ...SHOP_REPO_FILES, 'test.js': TEST_THAT_WRITES });
    const seeded = await harness.seedIncident(repoLink);
    await harness.enqueueFixJob(seeded);
    const done = await harness.waitForFixJobToFinish(seeded.fixJobId);

    expect(done).toMatchObject({ status: 'done', baseline_test_outcome: 'failed', after_test_outcome: 'passed', error: null });
    const ranAs = (uid: string) => harness.ingest.entries.some((e) => e['jobId'] === seeded.fixJobId && e['category'] === 'tests' && e['message'] === `tests ran as uid ${uid}`);
    await waitFor(() => ranAs(String(SANDBOX_BASE)), { what: 'the test output in the job log' });
    expect(ranAs('0')).toBe(false);
    // Between the tests the checkout was the service's again, and the fix holds only Cline's change.
    expect(cline.checkoutOwners).toEqual([0]);
    expect(await harness.git.changedFiles('acme', 'shop', 'main', done.branch)).toEqual(['src/price.js']);
    // The job ends (its leftovers killed, its workspace removed) just after its row says done.
    await waitFor(async () => (await readdir(harness.workDir)).length === 0, { what: 'the workspace to be removed' });

    // The servers both test runs left behind were killed when the job gave its uid back.
    const servers = harness.ingest.entries.flatMap((e) => (e['jobId'] === seeded.fixJobId && /^left a server running, pid (\d+)$/.exec(String(e['message']))?.[1]) || []);
    expect(servers).toHaveLength(2);
    await waitFor(async () => (await processesOfUid(SANDBOX_BASE)).length === 0, { what: 'the servers the job left to be killed' });
  });

  it('runs two jobs at once as two different users, each for all its steps', async () => {
    cline.users = [];
    cline.meet = 2;
    const jobs = [];
    for (const name of ['cart', 'till']) {
      harness.github.addRepo('acme', name, { defaultBranch: 'main' });
      jobs.push(await harness.seedIncident(await harness.git.createRepo('acme', name, { ...SHOP_REPO_FILES, 'test.js': TEST_THAT_WRITES })));
    }
    await Promise.all(jobs.map((job) => harness.enqueueFixJob(job)));
    for (const job of jobs) expect(await harness.waitForFixJobToFinish(job.fixJobId)).toMatchObject({ status: 'done' });

    // Both Cline runs were under way together, as two different uid/gid pairs of the range…
    const uids = cline.users.map((user) => user?.uid).sort();
    expect(uids).toEqual([SANDBOX_BASE, SANDBOX_BASE + 1]);
    expect(cline.users.every((user) => user?.gid === user?.uid)).toBe(true);
    // …and each job's tests ran, before and after the fix, as one uid, not the other job's.
    for (const job of jobs) {
      const testUids = harness.ingest.entries.flatMap((e) => (e['jobId'] === job.fixJobId && /^tests ran as uid (\d+)$/.exec(String(e['message']))?.[1]) || []);
      expect(testUids).toHaveLength(2);
      expect(new Set(testUids).size).toBe(1);
    }
    const byJob = jobs.map((job) => harness.ingest.entries.find((e) => e['jobId'] === job.fixJobId && String(e['message']).startsWith('tests ran as uid'))?.['message']);
    expect(new Set(byJob).size).toBe(2);
  });
});
