import { Provider } from '@nestjs/common';
import { ClineRunner } from '@epitrace/cline-runner';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { CLINE_RUNNER, ClineRunnerPort } from './cline.port';

/** The real runner (the pinned `cline` CLI, or CLINE_BIN); tests swap the CLINE_RUNNER token. */
export const clineRunnerProvider: Provider = {
  provide: CLINE_RUNNER,
  inject: [APP_CONFIG],
  useFactory: (config: CodeAgentConfig): ClineRunnerPort =>
    new ClineRunner({
      binary: config.CLINE_BIN || undefined,
      tempRoot: config.FIX_WORK_DIR || undefined,
      // In user mode each run brings the uid its job leased (SandboxUidPool).
      sandbox: { mode: config.SANDBOX_MODE },
    }),
};
