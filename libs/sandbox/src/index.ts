export * from './lib/sandbox';
