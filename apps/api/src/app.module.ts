import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AppConfigModule, HealthModule, createDatabaseModule, createLoggerModule, createQueueRootModule } from '@epitrace/nest-common';
import { AuthModule } from './auth/auth.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { createValidationPipe } from './common/request-validation.exception';
import type { ApiConfig } from './config/api.config';

export interface AppModuleOptions {
  /** Where log lines go instead of stdout (the e2e harness captures them). */
  logDestination?: Parameters<typeof createLoggerModule>[1];
}

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        createLoggerModule(config, options.logDestination),
        createDatabaseModule(),
        createQueueRootModule(),
        HealthModule,
        // Feature modules: one line each.
        AuthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
