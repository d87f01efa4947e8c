import { Controller, Get, HttpStatus, Inject, Injectable, Module, OnModuleDestroy, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { redisOptionsFromUrl } from '@epitrace/config';
import { APP_CONFIG, AppConfigBase } from './app-config.module';

/** A Redis connection used only for health pings: fails fast instead of queueing commands. */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly client: Redis;

  constructor(
    @Inject(APP_CONFIG) config: AppConfigBase,
    private readonly indicator: HealthIndicatorService,
  ) {
    this.client = new Redis(
      redisOptionsFromUrl(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 }),
    );
    this.client.on('error', () => undefined); // reported through /health, not as unhandled errors
  }

  async isHealthy(key: string) {
    const check = this.indicator.check(key);
    try {
      if (this.client.status === 'wait' || this.client.status === 'end') await this.client.connect();
      await this.client.ping();
      return check.up();
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  async onModuleDestroy() {
    this.client.disconnect();
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfigBase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and dependencies: Postgres and Redis' })
  @ApiResponse({
    status: 200,
    schema: { example: { status: 'RUNNING', timestamp: '2026-01-01T00:00:00.000Z', dbTime: '2026-01-01T00:00:00.000Z', dbVersion: 'PostgreSQL 15.19', redis: 'up', app: 'api' } },
  })
  @ApiResponse({ status: 503, schema: { example: { status: 'ERROR', message: 'database: connection refused' } } })
  async check(@Res() res: Response) {
    try {
      await this.health.check([
        () => this.db.pingCheck('database', { timeout: 2_000 }),
        () => this.redis.isHealthy('redis'),
      ]);
      const [row] = await this.dataSource.query('SELECT now() AS db_time, version() AS db_version');
      res.status(HttpStatus.OK).json({
        status: 'RUNNING',
        timestamp: new Date().toISOString(),
        dbTime: row.db_time,
        dbVersion: row.db_version,
        redis: 'up',
        app: this.config.APP_NAME,
      });
    } catch (err) {
      const details = (err as { response?: { error?: Record<string, { message?: string }> } }).response?.error;
      const message = details
        ? Object.entries(details)
            .map(([key, value]) => `${key}: ${value.message ?? 'down'}`)
            .join('; ')
        : (err as Error).message;
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({ status: 'ERROR', message, app: this.config.APP_NAME });
    }
  }
}

/** `GET /health` in every app, in the shape the contract gives. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator],
})
export class HealthModule {}
