export * from './lib/sandbox';
export * from './lib/lend-to-sandbox-user';
