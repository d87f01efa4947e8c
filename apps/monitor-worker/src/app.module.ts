import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfigModule, HealthModule, MetricsModule, createDatabaseModule, createLoggerModule, createQueueRootModule } from '@epitrace/nest-common';
import { QUEUES } from '@epitrace/queue-contracts';
import { ChecksModule } from './checks/checks.module';
import type { MonitorWorkerConfig } from './config/monitor-worker.config';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { ScheduleSyncModule } from './scheduling/schedule-sync.module';

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
        ScheduleModule.forRoot(),
        HealthModule,
        MetricsModule.forRoot([QUEUES.ANALYSIS_REQUESTS, QUEUES.DOWN_MONITORS]),
        ChecksModule,
        ScheduleSyncModule,
        MaintenanceModule,
      ],
    };
  }
}
