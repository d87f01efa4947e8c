import { Provider } from '@nestjs/common';
import { CLINE_RUNNER, ClineRunnerPort } from './cline.port';

/** TEMPORARY until @epitrace/cline-runner ships its implementation. */
export const clineRunnerProvider: Provider = {
  provide: CLINE_RUNNER,
  useFactory: (): ClineRunnerPort => ({
    run: async () => {
      throw new Error('cline runner not wired yet');
    },
  }),
};
