import { Logger, Provider } from '@nestjs/common';
import { APP_CONFIG } from '@epitrace/nest-common';
import { SandboxUidPool } from '@epitrace/sandbox';
import type { CodeAgentConfig } from '../config/code-agent.config';

/** The uid/gid pairs fix jobs run their sandboxed steps as (SANDBOX_UID/SANDBOX_GID, SANDBOX_ID_COUNT). */
export const sandboxUidPoolProvider: Provider = {
  provide: SandboxUidPool,
  inject: [APP_CONFIG],
  useFactory: (config: CodeAgentConfig) => SandboxUidPool.fromEnv(config, new Logger(SandboxUidPool.name)),
};
