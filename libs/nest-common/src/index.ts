export * from './lib/app-config.module';
export * from './lib/bootstrap';
export * from './lib/database.module';
export * from './lib/health.module';
export * from './lib/logger.module';
export * from './lib/metrics.module';
export * from './lib/preflight';
export * from './lib/queue.module';
