import type { CodeWorkerLogEntry } from '@epitrace/queue-contracts';

/** Server-Sent Events framing of the contract's three events. */
export function logEventFrame(entry: CodeWorkerLogEntry): string {
  return `id: ${entry.id}\nevent: log\ndata: ${JSON.stringify(entry)}\n\n`;
}

export function connectedFrame(jobId: string | null, retryMs: number): string {
  const data = { success: true, message: 'Connected to code worker log stream', filters: { jobId } };
  return `retry: ${retryMs}\nevent: connected\ndata: ${JSON.stringify(data)}\n\n`;
}

export function heartbeatFrame(now = new Date()): string {
  return `event: heartbeat\ndata: ${JSON.stringify({ ts: now.toISOString() })}\n\n`;
}
