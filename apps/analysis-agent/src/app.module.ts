import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, HealthModule, createDatabaseModule, createLoggerModule, createQueueRootModule } from '@epitrace/nest-common';
import type { AnalysisAgentConfig } from './config/analysis-agent.config';

@Module({})
export class AppModule {
  static forRoot(config: AnalysisAgentConfig): DynamicModule {
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
