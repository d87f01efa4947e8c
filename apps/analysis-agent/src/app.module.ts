import { DynamicModule, Module } from '@nestjs/common';
import { coreModules } from '@epitrace/nest-common';
import { QUEUES } from '@epitrace/queue-contracts';
import type { AnalysisAgentConfig } from './config/analysis-agent.config';
import { IncidentsModule } from './incidents/incidents.module';

@Module({})
export class AppModule {
  static forRoot(config: AnalysisAgentConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreModules(config, { queues: [QUEUES.DOWN_MONITORS] }),
        IncidentsModule.forRoot(config),
      ],
    };
  }
}
