import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, HealthModule, createDatabaseModule, createLoggerModule, createQueueRootModule } from '@epitrace/nest-common';
import type { ApiConfig } from './config/api.config';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
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
