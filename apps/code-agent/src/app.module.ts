import { DynamicModule, Module } from '@nestjs/common';
import { coreModules } from '@epitrace/nest-common';
import { QUEUES } from '@epitrace/queue-contracts';
import { FixJobsModule } from './fix-jobs/fix-jobs.module';
import type { CodeAgentConfig } from './config/code-agent.config';

@Module({})
export class AppModule {
  static forRoot(config: CodeAgentConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreModules(config, { queues: [QUEUES.CODE] }),
        FixJobsModule,
      ],
    };
  }
}
