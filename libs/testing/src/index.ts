export * from './lib/net';
export * from './lib/test-database';
export * from './lib/test-redis';
