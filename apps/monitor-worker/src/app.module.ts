import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, HealthModule, createDatabaseModule, createLoggerModule, createQueueRootModule } from '@epitrace/nest-common';
import type { MonitorWorkerConfig } from './config/monitor-worker.config';

@Module({})
export class AppModule {
  static forRoot(config: MonitorWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        createLoggerModule(config),
        createDatabaseModule(),
        createQueueRootModule(),
        HealthModule,
      ],
    };
  }
}
