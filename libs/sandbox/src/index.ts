export * from './lib/sandbox';
export * from './lib/lend-to-sandbox-user';
export * from './lib/leftover-dirs';
