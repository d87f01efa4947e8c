import { Logger, Provider } from '@nestjs/common';
import { APP_CONFIG } from '@epitrace/nest-common';
import { SandboxUidPool } from '@epitrace/sandbox';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';

/** The uid/gid pairs analyses run Cline as (SANDBOX_UID/SANDBOX_GID, SANDBOX_ID_COUNT). */
export const sandboxUidPoolProvider: Provider = {
  provide: SandboxUidPool,
  inject: [APP_CONFIG],
  useFactory: (config: AnalysisAgentConfig) => SandboxUidPool.fromEnv(config, new Logger(SandboxUidPool.name)),
};
