import type { DynamicModule, Type } from '@nestjs/common';
import { AppConfigModule, AppConfigBase } from './app-config.module';
import { createDatabaseModule } from './database.module';
import { HealthModule } from './health.module';
import { PinoDestination, createLoggerModule } from './logger.module';
import { MetricsModule } from './metrics.module';
import { createQueueRootModule } from './queue.module';

export interface CoreModulesOptions {
  /** BullMQ queues whose depth /metrics reports. */
  queues: readonly string[];
  /** Where log lines go instead of stdout (tests capture them). */
  logDestination?: PinoDestination;
}

/** What every app is built on: its config, logs, Postgres, BullMQ, /health and /metrics. */
export function coreModules(config: AppConfigBase, options: CoreModulesOptions): (DynamicModule | Type<unknown>)[] {
  return [
    AppConfigModule.forRoot(config),
    createLoggerModule(config, options.logDestination),
    createDatabaseModule(),
    createQueueRootModule(),
    HealthModule,
    MetricsModule.forRoot(options.queues),
  ];
}
