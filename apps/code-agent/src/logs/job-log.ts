import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@epitrace/nest-common';
import { CodeWorkerLogEntryInput, INGEST_SECRET_HEADER, LOG_INGEST_PATH, LogLevel } from '@epitrace/queue-contracts';
import { redactSecrets } from '@epitrace/secrets';
import type { CodeAgentConfig } from '../config/code-agent.config';

const MAX_MESSAGE = 8_000;
/**
 * A batch stays well under the api's default BODY_LIMIT (256 KB): 50 lines of up to 8,000
 * characters could be ~400 KB, which the api would refuse with 413 and the lines would be lost.
 */
const MAX_BATCH_BYTES = 128 * 1024;

/** The ingest refused a batch (4xx): retrying the same lines cannot help. */
export class IngestRejectedError extends Error {}
const MAX_BUFFERED = 5_000;

/**
 * The live log of one fix job: every line is redacted (the job's token and anything
 * credential-shaped), batched and posted to the api's ingest with the job id, so the dashboard
 * and `GET /logs/code-worker/stream?jobId=` show progress as it happens. Shipping problems never
 * fail the job: lines wait in a bounded buffer and are retried on the next flush.
 */
export class JobLog {
  private buffer: CodeWorkerLogEntryInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private dropped = 0;
  private readonly secrets: string[] = [];
  stage = 'queued';

  constructor(
    readonly jobId: string,
    private readonly repo: string | undefined,
    private readonly shipper: (entries: CodeWorkerLogEntryInput[]) => Promise<void>,
    private readonly batchSize: number,
    private readonly intervalMs: number,
    private readonly mirror: Logger,
  ) {}

  /** Values that must never leave the process (the decrypted token, …). */
  addSecret(value: string | null | undefined): void {
    if (value) this.secrets.push(value);
  }

  redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  info(message: string, category?: string): void {
    this.write('info', message, category);
  }
  warn(message: string, category?: string): void {
    this.write('warn', message, category);
  }
  error(message: string, category?: string): void {
    this.write('error', message, category);
  }
  debug(message: string, category?: string): void {
    this.write('debug', message, category);
  }

  write(level: LogLevel, message: string, category?: string): void {
    const clean = this.redact(message).slice(0, MAX_MESSAGE);
    if (!clean.trim()) return;
    // The service's own log keeps the steps; tool output (git, tests, Cline) only at debug level.
    const mirrorLevel = level === 'warn' ? 'warn' : level === 'error' ? 'error' : level === 'debug' || category ? 'debug' : 'log';
    this.mirror[mirrorLevel](`[${this.jobId}] ${this.stage}: ${clean}`);
    this.buffer.push({ message: clean, level, stage: this.stage, category, jobId: this.jobId, repo: this.repo, ts: new Date().toISOString() });
    if (this.buffer.length > MAX_BUFFERED) {
      this.dropped += this.buffer.length - MAX_BUFFERED;
      this.buffer = this.buffer.slice(-MAX_BUFFERED);
    }
    if (this.buffer.length >= this.batchSize) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Sends what is buffered (in order, one request at a time). */
  /** How many buffered lines go in the next request: at most batchSize lines and MAX_BATCH_BYTES, at least one. */
  private nextBatchSize(): number {
    let bytes = 0;
    let count = 0;
    while (count < Math.min(this.batchSize, this.buffer.length)) {
      bytes += Buffer.byteLength(JSON.stringify(this.buffer[count])) + 1;
      if (count > 0 && bytes > MAX_BATCH_BYTES) break;
      count++;
    }
    return count;
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.sending = this.sending.then(async () => {
      while (this.buffer.length) {
        const size = this.nextBatchSize();
        const batch = this.buffer.slice(0, size);
        if (this.dropped) {
          batch.unshift({ message: `${this.dropped} log lines were dropped (the log ingest was unreachable)`, level: 'warn', stage: this.stage, jobId: this.jobId });
        }
        try {
          await this.shipper(batch);
        } catch (err) {
          this.mirror.warn(`[${this.jobId}] could not ship ${batch.length} log lines: ${this.redact((err as Error).message)}`);
          if (err instanceof IngestRejectedError) {
            this.dropped += size;
            this.buffer.splice(0, size);
            continue;
          }
          if (!this.timer) this.timer = setTimeout(() => void this.flush(), Math.max(this.intervalMs, 2_000));
          return;
        }
        this.dropped = 0;
        this.buffer.splice(0, size);
      }
    });
    return this.sending;
  }

  /** Final flush; waits for what is in flight. */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

@Injectable()
export class JobLogFactory {
  private readonly logger = new Logger('FixJobLog');

  constructor(@Inject(APP_CONFIG) private readonly config: CodeAgentConfig) {}

  open(jobId: string, repo?: string): JobLog {
    return new JobLog(jobId, repo, (entries) => this.post(entries), this.config.LOG_SHIP_BATCH, this.config.LOG_SHIP_INTERVAL_MS, this.logger);
  }

  private async post(entries: CodeWorkerLogEntryInput[]): Promise<void> {
    const url = new URL(LOG_INGEST_PATH, this.config.INGEST_URL).toString();
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [INGEST_SECRET_HEADER]: this.config.INGEST_SECRET },
          body: JSON.stringify(entries),
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) return;
        // A 4xx will not heal by retrying (bad secret, rejected entries).
        if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new IngestRejectedError(`ingest refused the lines: HTTP ${res.status}`);
        lastError = new Error(`ingest answered HTTP ${res.status}`);
      } catch (err) {
        if (err instanceof IngestRejectedError) throw err;
        lastError = err as Error;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    throw lastError ?? new Error('ingest failed');
  }
}
