export * from './lib/sandbox';
export * from './lib/sandbox-env';
export * from './lib/lend-to-sandbox-user';
export * from './lib/leftover-dirs';
export * from './lib/kill-uid-processes';
export * from './lib/sandbox-uid-pool';
