export * from './lib/cline-run.types';
