import { DynamicModule, Module } from '@nestjs/common';
import { PinoDestination, coreModules } from '@epitrace/nest-common';
import { QUEUES } from '@epitrace/queue-contracts';
import type { AnalysisAgentConfig } from './config/analysis-agent.config';
import { IncidentsModule } from './incidents/incidents.module';

@Module({})
export class AppModule {
  /** `logDestination`: where log lines go instead of stdout (tests capture them). */
  static forRoot(config: AnalysisAgentConfig, options: { logDestination?: PinoDestination } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreModules(config, { queues: [QUEUES.DOWN_MONITORS], logDestination: options.logDestination }),
        IncidentsModule.forRoot(config),
      ],
    };
  }
}
