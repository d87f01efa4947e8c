import { z } from 'zod';
import { baseEnvSchema, encryptionKey, envBoolean, envInt, envPort, fixLinkSecret, ingestSecret, jwtSecret, loadConfig } from '@epitrace/config';

/** Every setting of the api, validated at boot. Documented in .env.example. */
export const ApiEnvSchema = baseEnvSchema.extend({
  PORT: envPort(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Public base URL of this API, used in alert links and the dashboard. */
  PUBLIC_URL: z.string().url().default('http://localhost:8080'),
  JWT_SECRET: jwtSecret,
  JWT_EXPIRES_IN: z.string().regex(/^\d+[smhd]$/, 'like 15m, 12h or 7d').default('12h'),
  ENCRYPTION_KEY: encryptionKey,
  INGEST_SECRET: ingestSecret,
  FIX_LINK_SECRET: fixLinkSecret,
  /** Comma-separated origins allowed by CORS; empty allows none (same-origin only). */
  CORS_ORIGINS: z.string().default('http://localhost:3000,http://localhost:8080'),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'like 100kb or 1mb').default('256kb'),
  /** Requests per minute per IP on /auth routes. */
  AUTH_RATE_LIMIT_PER_MINUTE: envInt(20, 1, 10_000),
  /** `GET /dev/reset-db` exists only when this is true and NODE_ENV=development. */
  DEV_RESET_DB_ENABLED: envBoolean(false),
  /** Bull Board at /admin/queues (HTTP Basic) is mounted only when a password is set. */
  BULL_BOARD_USERNAME: z.string().min(1).default('admin'),
  BULL_BOARD_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /**
   * Accept any http(s) host as a webhook URL instead of only Slack's and Discord's webhook hosts.
   * For self-hosted relays and local test receivers; leave off otherwise.
   */
  WEBHOOK_ALLOW_ANY_HOST: envBoolean(false),
  /** Fix-job log lines older than this are deleted (hourly sweep). */
  LOG_RETENTION_DAYS: envInt(30, 1, 3650),
  /** Longest accepted log message (characters) and most entries per ingest request. */
  LOG_MAX_MESSAGE_LENGTH: envInt(16_384, 256, 1_000_000),
  LOG_MAX_BATCH: envInt(500, 1, 10_000),
  /** SSE heartbeat period (the contract says 15 s; tests shorten it). */
  LOG_STREAM_HEARTBEAT_MS: envInt(15_000, 10, 300_000),
  /** Unsent bytes a stream client may fall behind by before it is dropped (it resumes with Last-Event-ID). */
  LOG_STREAM_MAX_BUFFER_BYTES: envInt(1_048_576, 16_384, 268_435_456),
  /** Lifetime of the query-string stream tokens EventSource clients use. */
  LOG_STREAM_TOKEN_TTL_SECONDS: envInt(60, 5, 3600),
  /** Live lines arriving within this window reach each stream client in one write (0: next tick). */
  LOG_STREAM_COALESCE_MS: envInt(20, 0, 1000),
  /**
   * Live log streams one user may hold open at once. Counted per api process (replicas do not
   * share the count); one more is refused with 429 until one of them closes.
   */
  LOG_STREAM_MAX_PER_USER: envInt(20, 1, 10_000),
});

export type ApiConfig = z.infer<typeof ApiEnvSchema> & { APP_NAME: 'api' };

export const API_DEV_SECRETS = ['JWT_SECRET', 'ENCRYPTION_KEY', 'INGEST_SECRET', 'FIX_LINK_SECRET'] as const;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return { ...loadConfig('api', ApiEnvSchema, { env, devSecrets: API_DEV_SECRETS }), APP_NAME: 'api' };
}
