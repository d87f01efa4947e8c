import type { ClineRunOptions, ClineRunResult } from '@epitrace/cline-runner';

/** Injection token of the Cline runner (the real one spawns the pinned `cline` CLI). */
export const CLINE_RUNNER = Symbol('CLINE_RUNNER');

export interface ClineRunnerPort {
  run(options: ClineRunOptions): Promise<ClineRunResult>;
}
