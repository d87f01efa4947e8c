import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, HealthModule, createDatabaseModule, createLoggerModule, createQueueRootModule } from '@epitrace/nest-common';
import type { CodeAgentConfig } from './config/code-agent.config';

@Module({})
export class AppModule {
  static forRoot(config: CodeAgentConfig): DynamicModule {
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
