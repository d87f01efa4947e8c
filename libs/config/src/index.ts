export * from './lib/config-error';
export * from './lib/dev-secrets';
export * from './lib/load-config';
export * from './lib/redis-options';
export * from './lib/schema-parts';
