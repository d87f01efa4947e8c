export * from './lib/monitor-scheduler.service';
export * from './lib/monitor-scheduling.module';
export * from './lib/schedule-reconciler';
