import { z } from 'zod';
import { baseEnvSchema, encryptionKey, envBoolean, envInt, envPort, ingestSecret, loadConfig } from '@epitrace/config';
import { checkSandboxEnv, sandboxEnvShape } from '@epitrace/sandbox';

/** What a job spends outside the configured deadlines, at most: git commands (5 min each), GitHub calls, lending the checkout to the sandbox user. */
const UNBOUNDED_STEPS_MS = 3_600_000;

/**
 * The longest a fix job can hold its workspace: the clone, the tests before and after the fix
 * (each with its own deadline), the Cline run, and the steps between them. The workspace sweep
 * relies on it to leave running jobs alone.
 */
export function longestFixJobMs(env: { FIX_CLONE_TIMEOUT_MS: number; TEST_TIMEOUT_MS: number; FIX_TIMEOUT_MS: number }): number {
  return env.FIX_CLONE_TIMEOUT_MS + 2 * env.TEST_TIMEOUT_MS + env.FIX_TIMEOUT_MS + UNBOUNDED_STEPS_MS;
}

/** Every setting of the code-agent, validated at boot. Documented in .env.example. */
export const CodeAgentEnvSchema = baseEnvSchema.extend({
  CODE_AGENT_PORT: envPort(8083),
  CODE_AGENT_HOST: z.string().default('0.0.0.0'),
  ENCRYPTION_KEY: encryptionKey,
  INGEST_SECRET: ingestSecret,
  /** Base URL of the api, where fix-job log lines are posted (`POST /logs/code-worker`). */
  INGEST_URL: z.string().url().default('http://127.0.0.1:8080'),
  /** GitHub REST API. Left at the default, a repository on another host uses `https://<host>/api/v3` (GitHub Enterprise). */
  GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  /** Open pull requests as drafts (a human marks them ready). */
  GITHUB_PR_DRAFT: envBoolean(true),
  GIT_BOT_NAME: z.string().min(1).max(100).default('EpiTrace Bot'),
  GIT_BOT_EMAIL: z.string().email().default('epitrace-bot@users.noreply.github.com'),
  /** Allow `http://` repository remotes. Only for local test servers: the token would travel in clear. */
  ALLOW_HTTP_REMOTES: envBoolean(false),
  /** Shallow clone depth (0: full history). */
  FIX_CLONE_DEPTH: envInt(50, 0, 100_000),
  FIX_CLONE_TIMEOUT_MS: envInt(300_000, 1_000, 3_600_000),
  /** A repository bigger than this on disk is not fixed. */
  FIX_MAX_REPO_BYTES: envInt(1_073_741_824, 1_024),
  /** Where per-job workspaces are created (the OS temp dir when empty). */
  FIX_WORK_DIR: z.string().default(''),
  /** Deadline of the Cline fix run. */
  FIX_TIMEOUT_MS: envInt(900_000, 1_000, 4 * 3_600_000),
  /** Deadline of each test run (before and after the fix), including dependency install. */
  TEST_TIMEOUT_MS: envInt(600_000, 1_000, 4 * 3_600_000),
  /** Fix jobs one process runs at once (each is a clone, an agent and a test run). */
  CODE_AGENT_CONCURRENCY: envInt(1, 1, 16),
  /** How often a running job records that it is alive. */
  FIX_HEARTBEAT_MS: envInt(15_000, 100, 300_000),
  /** A running job whose heartbeat is older than this and that BullMQ will not retry is marked failed. */
  FIX_STALE_AFTER_MS: envInt(300_000, 1_000, 24 * 3_600_000),
  FIX_STALE_SWEEP_INTERVAL_MS: envInt(60_000, 100, 3_600_000),
  /** Workspaces left in FIX_WORK_DIR by a killed process are looked for at boot and this often. */
  FIX_WORKSPACE_SWEEP_INTERVAL_MS: envInt(3_600_000, 1_000, 24 * 3_600_000),
  /** A workspace older than this is left over and removed; at least the longest a fix job can run (see longestFixJobMs). */
  FIX_WORKSPACE_MAX_AGE_MS: envInt(6 * 3_600_000, 60_000, 30 * 24 * 3_600_000),
  /** How untrusted code runs (none | user | bwrap) and, in user mode, the uid/gid range its jobs get. */
  ...sandboxEnvShape,
  /** Cline's model provider (anthropic, openai, openai-compatible, openrouter, …). */
  CLINE_PROVIDER: z.string().min(1).default('anthropic'),
  CLINE_MODEL: z.string().min(1).default('claude-sonnet-4-5'),
  CLINE_API_KEY: z.string().optional(),
  CLINE_BASE_URL: z.string().url().optional(),
  /** Path of the cline binary; default: the pinned package's native binary, then PATH. */
  CLINE_BIN: z.string().optional(),
  /** Log lines are posted in batches: at most this many, at least every this many ms. */
  LOG_SHIP_BATCH: envInt(50, 1, 500),
  LOG_SHIP_INTERVAL_MS: envInt(500, 10, 60_000),
}).superRefine((env, ctx) => {
  checkSandboxEnv(env, ctx);
  const longest = longestFixJobMs(env);
  if (env.FIX_WORKSPACE_MAX_AGE_MS < longest) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['FIX_WORKSPACE_MAX_AGE_MS'],
      message: `must be at least ${longest} ms, the longest a fix job can run (FIX_CLONE_TIMEOUT_MS + 2 × TEST_TIMEOUT_MS + FIX_TIMEOUT_MS + ${UNBOUNDED_STEPS_MS / 3_600_000} h), or a running job's workspace could be removed`,
    });
  }
});

export type CodeAgentConfig = z.infer<typeof CodeAgentEnvSchema> & { APP_NAME: 'code-agent'; PORT: number; HOST: string };

export const CODE_AGENT_DEV_SECRETS = ['ENCRYPTION_KEY', 'INGEST_SECRET'] as const;

export function loadCodeAgentConfig(env: NodeJS.ProcessEnv = process.env): CodeAgentConfig {
  const parsed = loadConfig('code-agent', CodeAgentEnvSchema, { env, devSecrets: CODE_AGENT_DEV_SECRETS });
  return { ...parsed, APP_NAME: 'code-agent', PORT: parsed.CODE_AGENT_PORT, HOST: parsed.CODE_AGENT_HOST };
}
