import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger as PinoLogger } from 'nestjs-pino';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { redisOptionsFromUrl } from '@epitrace/config';
import { GithubToken, Incident, Monitor, MonitorCheck, MonitorGithubToken, MonitorWebhook, User, Webhook, WebhookProvider } from '@epitrace/entities';
import { JOB_OPTIONS, JOBS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';
import { SecretCipher, maskUrl, sha256Hex } from '@epitrace/secrets';
import {
  FakeChatWebhooks,
  FakeGitServer,
  LogCapture,
  TEST_REDIS_URL,
  TestDatabase,
  createTestDatabase,
  deleteKeysWithPrefix,
  getFreePort,
  startFakeChatWebhooks,
  startGitHttpServer,
  uniqueQueuePrefix,
} from '@epitrace/testing';
import { AppModule } from '../../src/app.module';
import { AnalysisAgentConfig, loadAnalysisAgentConfig } from '../../src/config/analysis-agent.config';

export const GITHUB_TOKEN = `ghp_${'a'.repeat(36)}`;

/**
 * The analysis-agent as it runs in production (Nest app, BullMQ worker, real Postgres and Redis)
 * with the edges of the world replaced by local servers: a git smart-HTTP server for the
 * repository, Slack/Discord receivers, and the fake `cline` behind CLINE_BIN.
 */
export class AnalysisAgentHarness {
  db!: TestDatabase;
  git!: FakeGitServer;
  hooks!: FakeChatWebhooks;
  app!: INestApplication;
  dataSource!: DataSource;
  queue!: Queue;
  config!: AnalysisAgentConfig;
  /** Every line the agent logs, at debug level. */
  readonly logs = new LogCapture();
  repoUrl!: string;
  private prefix = uniqueQueuePrefix('analysis');
  private readonly fakeCline = resolve(__dirname, '../../../../tools/fakes/cline');
  private clineWrapper = join(mkdtempSync(join(tmpdir(), 'analysis-cline-')), 'cline');

  async start(overrides: Record<string, string> = {}): Promise<void> {
    this.db = await createTestDatabase('analysis-agent');
    this.git = await startGitHttpServer({ token: GITHUB_TOKEN });
    this.repoUrl = await this.git.createRepo('acme', 'shop-api', { 'src/db.js': 'module.exports = {};\n', 'README.md': '# shop api\n' });
    this.hooks = await startFakeChatWebhooks();
    this.setCline({ FAKE_CLINE_SCENARIO: 'success' });
    this.config = loadAnalysisAgentConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATABASE_URL: this.db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: this.prefix,
      ANALYSIS_AGENT_PORT: String(await getFreePort()),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      FIX_LINK_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_URL: 'https://epitrace.example.test',
      CLINE_BIN: this.clineWrapper,
      CLINE_PROVIDER: 'anthropic',
      CLINE_MODEL: 'claude-sonnet-4-5',
      CLINE_API_KEY: 'sk-ant-harness-0123456789abcdef',
      ALLOW_HTTP_REMOTES: 'true',
      ALERT_ANALYSIS_BUDGET_MS: '4000',
      ANALYSIS_TIMEOUT_MS: '12000',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_MAX_ATTEMPTS: '2',
      ...overrides,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(this.config, { logDestination: this.logs })] }).compile();
    this.app = moduleRef.createNestApplication({ bufferLogs: true });
    this.app.useLogger(this.app.get(PinoLogger));
    this.app.flushLogs();
    await this.app.init();
    this.dataSource = this.app.get(DataSource);
    this.queue = new Queue(QUEUES.DOWN_MONITORS, { connection: redisOptionsFromUrl(TEST_REDIS_URL), prefix: this.prefix });
  }

  async stop(): Promise<void> {
    await this.queue?.close();
    await this.app?.close();
    await this.hooks?.close();
    await this.git?.close();
    await this.db?.drop();
    await deleteKeysWithPrefix(this.prefix);
  }

  /** What the fake cline does on its next runs (through a wrapper script, as the runner gives the agent a clean environment). */
  setCline(env: Record<string, string>): void {
    const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`);
    writeFileSync(this.clineWrapper, ['#!/bin/sh', ...exports, `exec '${this.fakeCline}' "$@"`, ''].join('\n'));
    chmodSync(this.clineWrapper, 0o755);
  }

  /** An owner, a monitor on the repository with a linked GitHub token, a Slack and a Discord webhook, an open incident. */
  async seedIncident(options: { linkToken?: boolean; linkWebhooks?: boolean } = {}) {
    const cipher = new SecretCipher(this.config.ENCRYPTION_KEY);
    const user = await this.dataSource.getRepository(User).save({ email: `owner-${randomBytes(4).toString('hex')}@example.com`, passwordHash: 'x' });
    const monitor = await this.dataSource.getRepository(Monitor).save({
      userId: user.id,
      name: 'Shop API',
      url: 'https://shop.example.test/health',
      repoLink: this.repoUrl,
      checkInterval: 30,
      timeout: 5,
      isActive: true,
      status: 'DOWN',
    });
    if (options.linkToken !== false) {
      const token = await this.dataSource.getRepository(GithubToken).save({ userId: user.id, tokenCiphertext: cipher.encrypt(GITHUB_TOKEN), tokenLast4: GITHUB_TOKEN.slice(-4) });
      await this.dataSource.getRepository(MonitorGithubToken).save({ monitorId: monitor.id, githubTokenId: token.id });
    }
    const webhook = async (provider: WebhookProvider, url: string) => {
      const saved = await this.dataSource.getRepository(Webhook).save({ userId: user.id, provider, urlCiphertext: cipher.encrypt(url), urlHash: sha256Hex(url), urlHint: maskUrl(url) });
      if (options.linkWebhooks !== false) await this.dataSource.getRepository(MonitorWebhook).save({ monitorId: monitor.id, webhookId: saved.id });
      return { ...saved, url };
    };
    const slack = await webhook('slack', this.hooks.slackUrl());
    const discord = await webhook('discord', this.hooks.discordUrl());
    const openedAt = new Date(Date.now() - 90_000);
    await this.dataSource.getRepository(MonitorCheck).save(
      [0, 1, 2].map((i) => ({ monitorId: monitor.id, status: 'DOWN' as const, statusCode: 500, responseTimeMs: 120, errorMessage: 'HTTP 500 Internal Server Error', checkedAt: new Date(openedAt.getTime() - i * 30_000) })),
    );
    const incident = await this.dataSource.getRepository(Incident).save({
      monitorId: monitor.id,
      userId: user.id,
      state: 'open',
      openedAt,
      cause: 'HTTP 500 Internal Server Error',
      statusCode: 500,
    });
    return { user, monitor, slack, discord, incident };
  }

  async enqueue(name: typeof JOBS.MONITOR_DOWN | typeof JOBS.MONITOR_RECOVERED, incident: Incident): Promise<void> {
    const id = name === JOBS.MONITOR_DOWN ? jobIds.monitorDown(incident.id) : jobIds.monitorRecovered(incident.id);
    await this.queue.add(name, buildPayload(name, { incidentId: incident.id, monitorId: incident.monitorId }), { ...JOB_OPTIONS.incidentEvent, jobId: id });
  }

  async enqueueFixFinished(incidentId: string, fixJobId: string): Promise<void> {
    await this.queue.add(JOBS.FIX_FINISHED, buildPayload(JOBS.FIX_FINISHED, { incidentId, fixJobId }), { ...JOB_OPTIONS.incidentEvent, jobId: jobIds.fixFinished(fixJobId) });
  }

  messagesTo(url: string) {
    const path = new URL(url).pathname;
    return this.hooks.messages.filter((m) => m.path === path);
  }

  attemptsTo(url: string) {
    const path = new URL(url).pathname;
    return this.hooks.attempts.filter((m) => m.path === path);
  }
}
