import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
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
import { AppModule } from '../../src/app.module';
import { loadCodeAgentConfig } from '../../src/config/code-agent.config';
import { CLINE_RUNNER, ClineRunnerPort } from '../../src/fix-jobs/cline.port';
import { IngestReceiver, SeededIncident, seedIncident, startIngestReceiver } from './fix-fixtures';

const FINISHED_STATUSES = ['done', 'failed', 'no-change'];

/** What this test file's resources are called, so parallel test files never share them. */
export interface CodeAgentHarnessNames {
  database: string;
  queuePrefix: string;
  workDirPrefix: string;
}

/**
 * The code-agent's surroundings in the integration tests: a migrated database of its own, a
 * queue prefix of its own, a git smart-HTTP server and a fake GitHub API that accept one token,
 * a stand-in for the api's log ingest, and a work directory. The agent itself is started by
 * `startAgent`, with the test's Cline behind the runner port, as often as a test needs (a
 * restart is one agent closed and another started).
 */
export class CodeAgentHarness {
  readonly token = `ghp_${randomBytes(18).toString('hex')}`;
  readonly encryptionKey = randomBytes(32).toString('base64');
  private readonly ingestSecret = randomBytes(24).toString('base64url');
  private readonly queues = new Map<string, Queue>();
  database!: TestDatabase;
  prefix!: string;
  git!: FakeGitServer;
  github!: FakeGitHubApi;
  ingest!: IngestReceiver;
  workDir!: string;
  /** A plain connection for the tests' own reads and writes of fix_jobs. */
  db!: Client;

  async start(names: CodeAgentHarnessNames): Promise<void> {
    this.database = await createTestDatabase(names.database);
    this.prefix = uniqueQueuePrefix(names.queuePrefix);
    this.git = await startGitHttpServer({ token: this.token });
    this.github = await startFakeGitHubApi({ token: this.token, htmlBase: this.git.url });
    this.ingest = await startIngestReceiver(this.ingestSecret);
    this.workDir = await mkdtemp(join(tmpdir(), names.workDirPrefix));
    this.db = new Client({ connectionString: this.database.url });
    await this.db.connect();
  }

  /** Boots the code-agent's AppModule against this harness; `env` adds to or overrides its settings. */
  async startAgent(cline: ClineRunnerPort, options: { env?: Record<string, string>; enableShutdownHooks?: boolean } = {}): Promise<INestApplication> {
    const config = loadCodeAgentConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: this.database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: this.prefix,
      ENCRYPTION_KEY: this.encryptionKey,
      INGEST_SECRET: this.ingestSecret,
      INGEST_URL: this.ingest.url,
      GITHUB_API_URL: this.github.url,
      ALLOW_HTTP_REMOTES: 'true',
      FIX_WORK_DIR: this.workDir,
      PATH: process.env['PATH'],
      ...options.env,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(CLINE_RUNNER)
      .useValue(cline)
      .compile();
    const app = moduleRef.createNestApplication();
    if (options.enableShutdownHooks) app.enableShutdownHooks();
    await app.init();
    return app;
  }

  /** A user, monitor, token (this harness's unless another is given), analysed incident and queued fix job for the repository. */
  seedIncident(repoLink: string, token = this.token): Promise<SeededIncident> {
    return seedIncident(this.database.url, { repoLink, token, encryptionKey: this.encryptionKey });
  }

  /** A producer on one of the agent's queues (opened once, closed by `stop`). */
  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: redisOptionsFromUrl(TEST_REDIS_URL), prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Enqueues the fix job the way the api does. */
  async enqueueFixJob({ incidentId, fixJobId }: SeededIncident): Promise<void> {
    await this.queue(QUEUES.CODE).add(JOBS.CODE_JOB, buildPayload(JOBS.CODE_JOB, { incidentId, fixJobId }), { ...JOB_OPTIONS.codeJob, jobId: jobIds.codeJob(fixJobId) });
  }

  async fixJobRow(fixJobId: string) {
    const { rows } = await this.db.query('SELECT * FROM fix_jobs WHERE id = $1', [fixJobId]);
    return rows[0];
  }

  /** The fix job's row once it is done, failed or no-change. */
  waitForFixJobToFinish(fixJobId: string, what = `fix job ${fixJobId} to finish`) {
    return waitFor(
      async () => {
        const row = await this.fixJobRow(fixJobId);
        return FINISHED_STATUSES.includes(row.status) ? row : null;
      },
      { timeoutMs: 60_000, what },
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.db?.end();
    await Promise.all([this.git?.close(), this.github?.close(), this.ingest?.close()]);
    if (this.workDir) await rm(this.workDir, { recursive: true, force: true });
    if (this.prefix) await deleteKeysWithPrefix(this.prefix);
    await this.database?.drop();
  }
}
