import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigValidationError, shouldRunMigrations } from '@epitrace/config';
import type { AppConfigBase } from './app-config.module';
import { runMigrations } from '@epitrace/entities';
import { DependencyUnavailableError, assertServicesReachable, ensureDatabaseExists } from './preflight';

export interface BootstrapOptions<C extends AppConfigBase> {
  config: C & { PORT: number; HOST?: string };
  /** The root module; receives the validated config (e.g. `AppModule.forRoot(config)`). */
  module: Type<unknown> | DynamicModule;
  /** App-specific HTTP setup (middleware, pipes, Swagger) before listen. */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
}

/** Boots any of the four apps the same way: preflight, migrations, logger, shutdown hooks, listen. */
export async function bootstrapApp<C extends AppConfigBase>(options: BootstrapOptions<C>): Promise<INestApplication> {
  const { config } = options;
  await assertServicesReachable(config.DATABASE_URL, config.REDIS_URL);
  if (config.NODE_ENV !== 'production') await ensureDatabaseExists(config.DATABASE_URL);
  if (shouldRunMigrations(config)) await runMigrations(config.DATABASE_URL);

  const app = await NestFactory.create<NestExpressApplication>(options.module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.enableShutdownHooks();
  armShutdownDeadline(config.SHUTDOWN_GRACE_MS, app.get(Logger));
  await options.configure?.(app);
  await app.listen(config.PORT, config.HOST ?? '0.0.0.0');
  app.get(Logger).log(`${config.APP_NAME} listening on ${config.HOST ?? '0.0.0.0'}:${config.PORT}`);
  return app;
}

/**
 * Nest's shutdown hooks close queues (a BullMQ worker waits for its active jobs) and the
 * database, which can take as long as the longest job. After the grace period the process
 * exits anyway: BullMQ then sees the unfinished jobs as stalled and hands them to another
 * worker (or retries them after a restart), so nothing is lost and nothing stays "running".
 */
function armShutdownDeadline(graceMs: number, logger: Logger): void {
  const arm = (signal: NodeJS.Signals) => {
    logger.log(`${signal} received: finishing in-flight work (up to ${graceMs} ms)`);
    setTimeout(() => {
      logger.warn(`shutdown grace period of ${graceMs} ms is over; exiting with work handed back to the queue`);
      process.exit(1);
    }, graceMs).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}

/** Runs main(); configuration and dependency problems are printed as plain sentences, then exit 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigValidationError || err instanceof DependencyUnavailableError) {
      process.stderr.write(`\n${err.message}\n\n`);
    } else {
      process.stderr.write(`fatal: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exit(1);
  });
}
