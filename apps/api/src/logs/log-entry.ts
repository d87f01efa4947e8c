import type { CodeWorkerLogEntry, LogLevel } from '@epitrace/queue-contracts';

/** A persisted log line as read back from job_log_entries. */
export interface StoredLogLine {
  id: string;
  jobId: string | null;
  userId: string | null;
  ts: Date;
  level: string;
  stage: string | null;
  category: string | null;
  repo: string | null;
  message: string;
}

/** The contract's `log` event / history entry for a stored line. */
export function toLogEntry(line: StoredLogLine): CodeWorkerLogEntry {
  const ts = line.ts.toISOString();
  const level = line.level as LogLevel;
  return {
    id: line.id,
    ts,
    worker: 'code_queue',
    level,
    stage: line.stage,
    category: line.category,
    jobId: line.jobId,
    repo: line.repo,
    message: line.message,
    pretty: prettyLine(ts, level, line.stage, line.category, line.message),
  };
}

/** One human-readable line, e.g. `12:04:31 INFO  [fixing/cline] editing src/app.ts`. */
export function prettyLine(ts: string, level: string, stage: string | null, category: string | null, message: string): string {
  const where = [stage, category].filter(Boolean).join('/');
  return `${ts.slice(11, 19)} ${level.toUpperCase().padEnd(5)}${where ? ` [${where}]` : ''} ${message}`;
}

/** SSE ids are Postgres bigints as decimal strings; compared without losing precision. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const LOG_ID_PATTERN = /^(0|[1-9]\d{0,18})$/;
