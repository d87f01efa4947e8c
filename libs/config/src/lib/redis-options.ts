import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from a redis:// URL. BullMQ workers need `maxRetriesPerRequest: null`
 * (they block on Redis and must keep retrying through a Redis restart rather than throw).
 */
export function redisOptionsFromUrl(url: string, overrides: RedisOptions = {}): RedisOptions {
  const u = new URL(url);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Back off up to 2 s between reconnects: a restarted Redis is picked up quickly.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...overrides,
  };
}
