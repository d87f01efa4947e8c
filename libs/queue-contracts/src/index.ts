export * from './lib/job-options';
export * from './lib/job-payloads';
export * from './lib/log-ingest.contract';
export * from './lib/queue-names';
