import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { redisOptionsFromUrl } from '@epitrace/config';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { ApiConfig } from '../config/api.config';

/** Fixed window per key; once over the limit the key is blocked for `blockDuration`. */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local block = redis.call('PTTL', KEYS[2])
if block <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  block = tonumber(ARGV[3])
end
return {hits, ttl, block}
`;

/**
 * Rate-limit counters in Redis, so that every api replica counts the same requests. While Redis
 * is unreachable each process falls back to counting in memory rather than letting every login
 * attempt through (or refusing all of them).
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly redis: Redis;
  private readonly fallback = new ThrottlerStorageService();
  private readonly prefix: string;
  private lastWarning = 0;

  constructor(
    @Inject(APP_CONFIG) config: ApiConfig,
    @InjectPinoLogger('RedisThrottlerStorage') private readonly logger: PinoLogger,
  ) {
    this.prefix = `${config.QUEUE_PREFIX}:auth-rate-limit:`;
    this.redis = new Redis(redisOptionsFromUrl(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 }));
    this.redis.on('error', () => undefined); // reported below, once a minute at most
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    try {
      const [hits, ttlMs, blockMs] = (await this.redis.eval(
        INCREMENT,
        2,
        `${this.prefix}${throttlerName}:${key}`,
        `${this.prefix}${throttlerName}:${key}:blocked`,
        ttl,
        limit,
        blockDuration > 0 ? blockDuration : ttl,
      )) as [number, number, number];
      return {
        totalHits: hits,
        timeToExpire: Math.max(0, Math.ceil(ttlMs / 1000)),
        isBlocked: blockMs > 0,
        timeToBlockExpire: blockMs > 0 ? Math.ceil(blockMs / 1000) : 0,
      };
    } catch (err) {
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ reason: (err as Error).message }, 'rate-limit counters unavailable in Redis; counting in this process meanwhile');
      }
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onModuleDestroy() {
    this.redis.disconnect();
    this.fallback.onApplicationShutdown();
  }
}
