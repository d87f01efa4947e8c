import { z } from 'zod';
import { baseEnvSchema, encryptionKey, envBoolean, envInt, envPort, fixLinkSecret, loadConfig } from '@epitrace/config';
import { checkSandboxEnv, sandboxEnvShape } from '@epitrace/sandbox';

/** Every setting of the analysis-agent, validated at boot. Documented in .env.example. */
export const AnalysisAgentEnvSchema = baseEnvSchema.extend({
  ANALYSIS_AGENT_PORT: envPort(8082),
  ANALYSIS_AGENT_HOST: z.string().default('0.0.0.0'),
  ENCRYPTION_KEY: encryptionKey,
  FIX_LINK_SECRET: fixLinkSecret,
  /** Base URL people reach the api at: alert links (auto-fix, incident) point there. */
  PUBLIC_URL: z.string().url().default('http://localhost:8080'),
  /** How long an auto-fix link in an alert stays usable. */
  FIX_LINK_TTL_MS: envInt(24 * 3_600_000, 60_000, 30 * 24 * 3_600_000),
  /** Incident events one process handles at once (each may be a clone and a Cline run). */
  ANALYSIS_AGENT_CONCURRENCY: envInt(2, 1, 32),
  /** Deadline of the Cline analysis. */
  ANALYSIS_TIMEOUT_MS: envInt(600_000, 1_000, 3_600_000),
  /** The alert waits at most this long for the analysis, then goes out without it (a follow-up carries it later). */
  ALERT_ANALYSIS_BUDGET_MS: envInt(60_000, 0, 3_600_000),
  /** Shallow clone depth for the analysis (0: full history). */
  ANALYSIS_CLONE_DEPTH: envInt(1, 0, 100_000),
  ANALYSIS_CLONE_TIMEOUT_MS: envInt(120_000, 1_000, 3_600_000),
  /** A repository bigger than this on disk is not analysed. */
  ANALYSIS_MAX_REPO_BYTES: envInt(524_288_000, 1_024),
  /** Where per-incident checkouts are created (the OS temp dir when empty). */
  ANALYSIS_WORK_DIR: z.string().default(''),
  /** Allow `http://` repository remotes. Only for local test servers: the token would travel in clear. */
  ALLOW_HTTP_REMOTES: envBoolean(false),
  /** Cline's model provider (anthropic, openai, openai-compatible, openrouter, …). */
  CLINE_PROVIDER: z.string().min(1).default('anthropic'),
  CLINE_MODEL: z.string().min(1).default('claude-sonnet-4-5'),
  CLINE_API_KEY: z.string().optional(),
  CLINE_BASE_URL: z.string().url().optional(),
  /** Path of the cline binary; default: the pinned package's native binary, then PATH. */
  CLINE_BIN: z.string().optional(),
  /** How untrusted code runs (none | user | bwrap) and, in user mode, the uid/gid range its jobs get. */
  ...sandboxEnvShape,
  /** Deadline of one POST to a Slack/Discord webhook. */
  WEBHOOK_TIMEOUT_MS: envInt(10_000, 100, 120_000),
  /** Attempts per delivery within one job run (the job itself is retried by BullMQ after that). */
  WEBHOOK_MAX_ATTEMPTS: envInt(4, 1, 20),
  /** First retry delay; doubles each attempt. */
  WEBHOOK_RETRY_BASE_MS: envInt(1_000, 10, 60_000),
  /** A 429 asking to wait longer than this ends the attempt round (BullMQ retries the job later). */
  WEBHOOK_MAX_RETRY_AFTER_MS: envInt(60_000, 0, 600_000),
  /** A delivery stuck in "sending" this long (its worker died mid-send) may be claimed again. */
  WEBHOOK_STALE_SENDING_MS: envInt(120_000, 1_000, 3_600_000),
  /** How often undelivered alerts (receiver down longer than a job's retries) are handed back to the queue. */
  ALERT_RETRY_SWEEP_MS: envInt(30_000, 1_000, 3_600_000),
  /** Undelivered alerts older than this are given up on. */
  ALERT_RETRY_MAX_AGE_MS: envInt(86_400_000, 60_000, 30 * 86_400_000),
}).superRefine((env, ctx) => {
  checkSandboxEnv(env, ctx);
});

export type AnalysisAgentConfig = z.infer<typeof AnalysisAgentEnvSchema> & { APP_NAME: 'analysis-agent'; PORT: number; HOST: string };

export const ANALYSIS_AGENT_DEV_SECRETS = ['ENCRYPTION_KEY', 'FIX_LINK_SECRET'] as const;

export function loadAnalysisAgentConfig(env: NodeJS.ProcessEnv = process.env): AnalysisAgentConfig {
  const parsed = loadConfig('analysis-agent', AnalysisAgentEnvSchema, { env, devSecrets: ANALYSIS_AGENT_DEV_SECRETS });
  return { ...parsed, APP_NAME: 'analysis-agent', PORT: parsed.ANALYSIS_AGENT_PORT, HOST: parsed.ANALYSIS_AGENT_HOST };
}
