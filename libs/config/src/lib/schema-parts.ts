import { z } from 'zod';

/** Reads booleans the way people write them in .env files. */
export const envBoolean = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envInt = (defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

export const envPort = (defaultValue: number) => envInt(defaultValue, 1, 65535);

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL');
const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL');

/** Settings every app has: where Postgres and Redis are, how it logs, how it shuts down. */
export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Human-readable logs (pino-pretty) instead of JSON lines. */
  LOG_PRETTY: envBoolean(false),
  DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/epitrace'),
  DATABASE_POOL_SIZE: envInt(10, 1, 200),
  /** Apply pending migrations at start-up (on by default outside production). */
  DATABASE_MIGRATIONS_RUN: z.enum(['true', 'false', '1', '0']).optional(),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  /** Key prefix of every BullMQ key; lets several installs (or test runs) share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .default('epitrace'),
  /** How long in-flight work may take to finish after SIGTERM before it is handed back. */
  SHUTDOWN_GRACE_MS: envInt(25_000, 0, 600_000),
});

export const jwtSecret = z.string().min(32, 'must be at least 32 characters');
export const ingestSecret = z.string().min(24, 'must be at least 24 characters');
export const fixLinkSecret = z.string().min(32, 'must be at least 32 characters');
export const encryptionKey = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');

export type BaseEnv = z.infer<typeof baseEnvSchema>;
