/**
 * The one internal HTTP contract between apps: code-agent → api `POST /logs/code-worker`,
 * authenticated with the ingest secret in this header. A single entry or an array of them.
 */
export const INGEST_SECRET_HEADER = 'x-ingest-secret';
export const LOG_INGEST_PATH = '/logs/code-worker';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CodeWorkerLogEntryInput {
  message: string;
  level?: LogLevel;
  stage?: string;
  category?: string;
  jobId?: string;
  repo?: string;
  /** When the line was produced; the API stamps it when absent. */
  ts?: string;
}

/** What stream clients receive (`log` events) and the history endpoint returns. */
export interface CodeWorkerLogEntry {
  id: string;
  ts: string;
  worker: 'code_queue';
  level: LogLevel;
  stage: string | null;
  category: string | null;
  jobId: string | null;
  repo: string | null;
  message: string;
  pretty: string;
}
