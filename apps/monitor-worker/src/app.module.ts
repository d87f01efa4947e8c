import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PinoDestination, coreModules } from '@epitrace/nest-common';
import { QUEUES } from '@epitrace/queue-contracts';
import { ChecksModule } from './checks/checks.module';
import type { MonitorWorkerConfig } from './config/monitor-worker.config';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { ScheduleSyncModule } from './scheduling/schedule-sync.module';

@Module({})
export class AppModule {
  /** `logDestination`: where log lines go instead of stdout (tests capture them). */
  static forRoot(config: MonitorWorkerConfig, options: { logDestination?: PinoDestination } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreModules(config, { queues: [QUEUES.ANALYSIS_REQUESTS, QUEUES.DOWN_MONITORS], logDestination: options.logDestination }),
        ScheduleModule.forRoot(),
        ChecksModule,
        ScheduleSyncModule,
        MaintenanceModule,
      ],
    };
  }
}
