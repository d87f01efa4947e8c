export * from './lib/cline-run.types';
export { resolveClineBinary } from './lib/cline-binary';
export { CLINE_RUNNER_SETTINGS, ClineRunner } from './lib/cline-runner';
export type { ClineRunnerSettings } from './lib/cline-runner';
export { ClineRunnerModule } from './lib/cline-runner.module';
export { stripAnsi } from './lib/cline-events';
export type { ClineSandboxSettings } from './lib/agent-sandbox';
