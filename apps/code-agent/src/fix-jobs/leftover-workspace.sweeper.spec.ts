import { randomBytes, randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { RepoCheckout } from '@epitrace/repo-checkout';
import { FakeGitServer, startGitHttpServer } from '@epitrace/testing';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { fixWorkspaceLabel } from '../workspace/fix-workspace-name';
import type { FixJobRunner } from './fix-job.runner';
import { LeftoverWorkspaceSweeper } from './leftover-workspace.sweeper';

const MAX_AGE_MS = 6 * 3_600_000;
const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;

describe('LeftoverWorkspaceSweeper (a real work dir)', () => {
  let workDir: string;
  let running: string[];
  let sweeper: LeftoverWorkspaceSweeper;
  let git: FakeGitServer;

  beforeAll(async () => (git = await startGitHttpServer({ token: TOKEN })));
  afterAll(() => git.close());

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'workspace-sweep-'));
    running = [];
    const jobs = { runningJobIds: () => running } as unknown as FixJobRunner;
    const config = { FIX_WORK_DIR: workDir, FIX_WORKSPACE_MAX_AGE_MS: MAX_AGE_MS, FIX_WORKSPACE_SWEEP_INTERVAL_MS: 3_600_000 } as CodeAgentConfig;
    sweeper = new LeftoverWorkspaceSweeper(jobs, config);
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  /** A workspace as a fix job leaves it, last changed `ageMs` ago. */
  function workspace(name: string, ageMs: number, content = 'x'.repeat(1000)): string {
    const root = join(workDir, name);
    mkdirSync(join(root, 'repo', 'src'), { recursive: true });
    mkdirSync(join(root, 'home'));
    writeFileSync(join(root, 'repo', 'src', 'index.js'), content);
    age(root, ageMs);
    return root;
  }

  function age(path: string, ageMs: number): void {
    const then = new Date(Date.now() - ageMs);
    utimesSync(path, then, then);
  }

  it('removes a workspace older than the maximum age and reports its size, keeping fresh and unrelated directories', async () => {
    const leftover = workspace('epitrace-fix-0a1b2c3d-Xy12Ab', MAX_AGE_MS + 60_000, 'y'.repeat(4096));
    const fresh = workspace('epitrace-fix-9f8e7d6c-Qw34Er', 60_000);
    const analysis = workspace('epitrace-analysis-0a1b2c3d-Zz99Yy', MAX_AGE_MS * 2);
    const unrelated = workspace('someone-elses-build', MAX_AGE_MS * 2);
    const namedLikeOne = join(workDir, 'epitrace-fix-notadir-000000');
    writeFileSync(namedLikeOne, 'a file, not a workspace');
    age(namedLikeOne, MAX_AGE_MS * 2);

    const result = await sweeper.sweep();

    expect(result).toEqual({ removed: [leftover], bytes: 4096, failed: [] });
    expect(existsSync(leftover)).toBe(false);
    for (const kept of [fresh, analysis, unrelated, namedLikeOne]) expect(existsSync(kept)).toBe(true);
  });

  it('never removes the workspace of a job this process is running, however old it looks', async () => {
    const jobId = randomUUID();
    const repoLink = await git.createRepo('acme', `shop-${jobId.slice(0, 8)}`, { 'package.json': '{"name":"shop"}\n' });
    const checkout = await RepoCheckout.clone({ repo: repoLink, token: TOKEN, allowHttp: true, workRoot: workDir, label: fixWorkspaceLabel(jobId) });
    age(checkout.root, MAX_AGE_MS * 2);
    running = [jobId];

    expect((await sweeper.sweep()).removed).toEqual([]);
    expect(existsSync(join(checkout.dir, 'package.json'))).toBe(true);

    running = [];
    expect((await sweeper.sweep()).removed).toEqual([checkout.root]);
    expect(basename(checkout.root)).toMatch(/^epitrace-fix-/);
  });

  (process.getuid?.() === 0 ? it : it.skip)("leaves alone a directory named like a workspace that is not the service user's", async () => {
    const planted = workspace('epitrace-fix-0a1b2c3d-Xy12Ab', MAX_AGE_MS * 2);
    chownSync(planted, 65534, 65534);
    age(planted, MAX_AGE_MS * 2);
    expect((await sweeper.sweep()).removed).toEqual([]);
    expect(existsSync(planted)).toBe(true);
  });

  it('finds nothing to do when the work dir does not exist yet', async () => {
    rmSync(workDir, { recursive: true });
    expect(await sweeper.sweep()).toEqual({ removed: [], bytes: 0, failed: [] });
  });

  it('runs one pass at a time: a sweep asked for during another shares its result', async () => {
    workspace('epitrace-fix-0a1b2c3d-Xy12Ab', MAX_AGE_MS + 60_000);
    const [first, second] = await Promise.all([sweeper.sweep(), sweeper.sweep()]);
    expect(first.removed).toHaveLength(1);
    expect(second).toBe(first);
  });
});
