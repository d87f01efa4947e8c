import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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
import { BUGGY_REPO_FILES, FIXED_PRICE_JS, IngestReceiver, seedIncident, startIngestReceiver } from './support/fix-fixtures';

const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const INGEST_SECRET = randomBytes(24).toString('base64url');

/** Works until it is told to stop (like the real runner when its signal aborts), or fixes at once. */
class ControllableCline implements ClineRunnerPort {
  hang = true;
  started = 0;

  async run(options: ClineRunOptions): Promise<ClineRunResult> {
    this.started++;
    const base = { text: 'Seed the order total with 0', exitCode: 0, signal: null, stderrTail: '', durationMs: 1, eventCount: 0 };
    if (!this.hang) {
      await writeFile(join(options.workdir, 'src/price.js'), FIXED_PRICE_JS);
      return { ...base, outcome: 'completed' };
    }
    await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
    return { ...base, outcome: 'cancelled', exitCode: null, signal: 'SIGINT' };
  }
}

describe('code-agent shutdown in the middle of a fix', () => {
  let database: TestDatabase;
  let prefix: string;
  let git: FakeGitServer;
  let github: FakeGitHubApi;
  let ingest: IngestReceiver;
  let workDir: string;
  let db: Client;
  const cline = new ControllableCline();

  async function startAgent(): Promise<INestApplication> {
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
      PATH: process.env['PATH'],
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(CLINE_RUNNER)
      .useValue(cline)
      .compile();
    const app = moduleRef.createNestApplication();
    app.enableShutdownHooks();
    await app.init();
    return app;
  }

  beforeAll(async () => {
    database = await createTestDatabase('code_agent_shutdown');
    prefix = uniqueQueuePrefix('code-shutdown');
    git = await startGitHttpServer({ token: TOKEN });
    github = await startFakeGitHubApi({ token: TOKEN, htmlBase: git.url });
    github.addRepo('acme', 'shop', { defaultBranch: 'main' });
    ingest = await startIngestReceiver(INGEST_SECRET);
    workDir = await mkdtemp(join(tmpdir(), 'code-agent-shutdown-'));
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all([git?.close(), github?.close(), ingest?.close()]);
    await rm(workDir, { recursive: true, force: true });
    await deleteKeysWithPrefix(prefix);
    await database?.drop();
  });

  it('stops the job, removes its workspace and hands it back without using an attempt; the next process finishes it', async () => {
    const repoLink = await git.createRepo('acme', 'shop', BUGGY_REPO_FILES);
    const seeded = await seedIncident(database.url, { repoLink, token: TOKEN, encryptionKey: ENCRYPTION_KEY });
    const codeQueue = new Queue(QUEUES.CODE, { connection: redisOptionsFromUrl(TEST_REDIS_URL), prefix });
    try {
      const first = await startAgent();
      await codeQueue.add(JOBS.CODE_JOB, buildPayload(JOBS.CODE_JOB, { incidentId: seeded.incidentId, fixJobId: seeded.fixJobId }), {
        ...JOB_OPTIONS.codeJob,
        jobId: jobIds.codeJob(seeded.fixJobId),
      });
      await waitFor(() => cline.started === 1, { what: 'Cline to start' });
      expect((await db.query('SELECT status FROM fix_jobs WHERE id = $1', [seeded.fixJobId])).rows[0].status).toBe('fixing');

      await first.close();
      const row = (await db.query('SELECT status, error FROM fix_jobs WHERE id = $1', [seeded.fixJobId])).rows[0];
      expect(row).toMatchObject({ status: 'queued', error: expect.stringContaining('shutdown') });
      const queued = await codeQueue.getJob(jobIds.codeJob(seeded.fixJobId));
      expect(['delayed', 'waiting']).toContain(await queued?.getState());
      expect(queued?.attemptsMade).toBe(0);
      expect(await readdir(workDir)).toEqual([]);

      cline.hang = false;
      const second = await startAgent();
      try {
        const done = await waitFor(
          async () => {
            const r = (await db.query('SELECT * FROM fix_jobs WHERE id = $1', [seeded.fixJobId])).rows[0];
            return ['done', 'failed', 'no-change'].includes(r.status) ? r : null;
          },
          { timeoutMs: 60_000, what: 'the handed-back job to finish' },
        );
        expect(done).toMatchObject({ status: 'done', attempts: 2 });
        expect(github.pulls).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      await codeQueue.close();
    }
  });
});
