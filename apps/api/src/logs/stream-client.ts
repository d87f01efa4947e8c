import type { Response } from 'express';
import { compareIds, toLogEntry, type StoredLogLine } from './log-entry';
import type { Delivery, LiveListener, ReceivedLines } from './log-fanout.service';
import type { LogScope } from './log-store.service';
import { heartbeatFrame, logEventFrame } from './sse-frames';

/** Live messages held while the history is replayed; beyond this the client re-reads the database instead. */
const MAX_PENDING_BATCHES = 2_000;
const REPLAY_CHUNK_CHARS = 16_384;

/**
 * One SSE connection. Sends each line at most once and in id order: everything after
 * `lastSentId`, first replayed from the database, then live. Live lines that arrive during the
 * replay wait in `pending`; if too many arrive, they are dropped and the replay simply reads
 * further, because every published line is already in the database.
 */
export class StreamClient implements LiveListener {
  readonly userId: string;
  private live = false;
  private closed = false;
  private pending: ReceivedLines[] = [];
  private missedLive = false;

  constructor(
    private readonly res: Response,
    readonly scope: LogScope,
    private lastSentId: string,
    private readonly maxBufferBytes: number,
    private readonly onClose: (client: StreamClient) => void,
  ) {
    this.userId = scope.userId;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get cursor(): string {
    return this.lastSentId;
  }

  deliver(batch: ReceivedLines[], shared: Map<string, Delivery>): void {
    if (this.closed) return;
    if (!this.live) {
      if (this.pending.length + batch.length > MAX_PENDING_BATCHES) {
        this.pending = [];
        this.missedLive = true;
      }
      this.pending.push(...batch);
      return;
    }
    const key = `${this.userId}|${this.scope.jobId ?? '*'}|${this.lastSentId}`;
    let delivery = shared.get(key);
    if (!delivery) {
      delivery = this.render(batch);
      shared.set(key, delivery);
    }
    this.lastSentId = delivery.lastId;
    if (delivery.chunk) this.write(delivery.chunk);
  }

  interrupted(): void {
    this.close();
  }

  /**
   * Writes replayed rows in chunks, waiting for the socket between them: the replay reads at
   * the reader's pace, so it neither buffers without bound nor trips the slow-client limit.
   */
  async sendStored(rows: StoredLogLine[]): Promise<void> {
    let chunk = '';
    for (const row of rows) {
      if (this.closed) return;
      if (compareIds(row.id, this.lastSentId) <= 0) continue;
      chunk += logEventFrame(toLogEntry(row));
      this.lastSentId = row.id;
      if (chunk.length >= REPLAY_CHUNK_CHARS) {
        this.res.write(chunk);
        chunk = '';
        await this.roomToWrite();
      }
    }
    if (chunk && !this.closed) this.res.write(chunk);
  }

  /** True once if live lines were dropped during the replay (the replay must read once more). */
  takeMissedLive(): boolean {
    if (!this.missedLive) return false;
    this.missedLive = false;
    this.pending = [];
    return true;
  }

  /** Ends the replay: the lines that arrived meanwhile go out (de-duplicated), then everything is live. */
  goLive(): void {
    if (this.closed) return;
    this.live = true;
    const delivery = this.render(this.pending);
    this.pending = [];
    this.lastSentId = delivery.lastId;
    if (delivery.chunk) this.write(delivery.chunk);
  }

  heartbeat(now: Date): void {
    if (!this.closed) this.write(heartbeatFrame(now));
  }

  /** Resolves once the socket has room again (or the client is gone), so a replay never outruns a slow reader. */
  async roomToWrite(): Promise<void> {
    if (this.closed || this.res.writableLength <= this.maxBufferBytes / 2) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  write(chunk: string | Buffer): void {
    if (this.closed) return;
    this.res.write(chunk);
    // A reader that does not keep up is dropped rather than buffered without bound; it resumes with Last-Event-ID.
    if (this.res.writableLength > this.maxBufferBytes) this.close(true);
  }

  close(destroy = false): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    if (destroy) this.res.destroy();
    else this.res.end();
    this.onClose(this);
  }

  /** The frames of this reader's lines after its cursor, in id order. */
  private render(batch: ReceivedLines[]): Delivery {
    let text = '';
    let lastId = this.lastSentId;
    for (const { entries, frames } of batch) {
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i];
        if (this.scope.jobId && entry.jobId !== this.scope.jobId) continue;
        if (compareIds(entry.id, lastId) <= 0) continue;
        text += frames[i];
        lastId = entry.id;
      }
    }
    return { chunk: text ? Buffer.from(text) : null, lastId };
  }
}
