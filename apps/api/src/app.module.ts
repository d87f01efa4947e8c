import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { PinoDestination, coreModules } from '@epitrace/nest-common';
import { QUEUES } from '@epitrace/queue-contracts';
import { QueueBoardModule } from './admin/queue-board.module';
import { AuthModule } from './auth/auth.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { createValidationPipe } from './common/request-validation.exception';
import type { ApiConfig } from './config/api.config';
import { DevModule } from './dev/dev.module';
import { GithubTokensModule } from './github-tokens/github-tokens.module';
import { MonitorsModule } from './monitors/monitors.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { IncidentsModule } from './incidents/incidents.module';
import { FixModule } from './fix/fix.module';
import { LogsModule } from './logs/logs.module';

export interface AppModuleOptions {
  /** Where log lines go instead of stdout (the e2e harness captures them). */
  logDestination?: PinoDestination;
}

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreModules(config, { queues: Object.values(QUEUES), logDestination: options.logDestination }),
        QueueBoardModule.forRoot(config),
        // Feature modules: one line each.
        AuthModule,
        MonitorsModule,
        WebhooksModule,
        GithubTokensModule,
        ...(DevModule.isEnabled(config) ? [DevModule] : []),
        LogsModule,
        DashboardModule,
        IncidentsModule,
        FixModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
