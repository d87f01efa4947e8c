import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { redisOptionsFromUrl } from '@epitrace/config';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { CodeWorkerLogEntry } from '@epitrace/queue-contracts';
import type { ApiConfig } from '../config/api.config';
import { logEventFrame } from './sse-frames';

/** What travels between replicas: one owner's freshly persisted lines, ids included. */
export interface PublishedLines {
  userId: string;
  entries: CodeWorkerLogEntry[];
}

/** Lines as a replica received them, each with its SSE frame serialised once for every reader. */
export interface ReceivedLines extends PublishedLines {
  frames: string[];
}

/** What one reader gets from one dispatch: the bytes to write and its new cursor. */
export interface Delivery {
  chunk: Buffer | null;
  lastId: string;
}

/** A live reader registered on this replica (an SSE client). */
export interface LiveListener {
  readonly userId: string;
  /**
   * The owner's lines received since the last dispatch, in id order. Readers in the same
   * position (same owner, filter and cursor) share one rendered Delivery through `shared`, so
   * a thousand readers of one job cost one serialisation and a thousand socket writes.
   */
  deliver(batch: ReceivedLines[], shared: Map<string, Delivery>): void;
  /** Live delivery was interrupted (Redis reconnected): lines may have been missed. */
  interrupted(): void;
}

/**
 * Cross-replica fan-out over Redis pub/sub. Every replica subscribes to one channel and hands
 * each owner's lines to the listeners of that owner on this replica. Messages arriving within
 * LOG_STREAM_COALESCE_MS are dispatched together, so with many readers each gets one socket
 * write per window rather than one per line (socket writes, not JSON, dominate the cost).
 */
@Injectable()
export class LogFanout implements OnModuleInit, OnModuleDestroy {
  private publisher: Redis;
  private subscriber: Redis;
  private readonly channel: string;
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private inbox: ReceivedLines[] = [];
  private drainScheduled = false;
  private subscribedOnce = false;
  private lostConnection = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ApiConfig,
    @InjectPinoLogger(LogFanout.name) private readonly logger: PinoLogger,
  ) {
    this.channel = `${config.QUEUE_PREFIX}:logs:code-worker`;
  }

  async onModuleInit(): Promise<void> {
    const options = redisOptionsFromUrl(this.config.REDIS_URL);
    // The publisher must fail fast: ingest holds the owner's lock while it publishes.
    this.publisher = new Redis({ ...options, maxRetriesPerRequest: 2, commandTimeout: 5_000, connectionName: 'api-log-publisher' });
    this.subscriber = new Redis({ ...options, connectionName: 'api-log-subscriber' });
    this.subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    this.subscriber.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'log fan-out subscriber error'));
    this.publisher.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'log fan-out publisher error'));
    this.subscriber.on('close', () => {
      if (this.subscribedOnce) this.lostConnection = true;
    });
    this.subscriber.on('ready', () => {
      // ioredis re-subscribes by itself; whatever was published meanwhile is gone, so readers resume from the database.
      if (this.lostConnection) {
        this.lostConnection = false;
        this.logger.warn('log fan-out reconnected to Redis; live streams are asked to resume');
        for (const set of this.listeners.values()) for (const l of [...set]) l.interrupted();
      }
    });
    await this.subscriber.subscribe(this.channel);
    this.subscribedOnce = true;
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  async publish(lines: PublishedLines): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(lines));
  }

  add(listener: LiveListener): void {
    let set = this.listeners.get(listener.userId);
    if (!set) this.listeners.set(listener.userId, (set = new Set()));
    set.add(listener);
  }

  remove(listener: LiveListener): void {
    const set = this.listeners.get(listener.userId);
    if (!set) return;
    set.delete(listener);
    if (!set.size) this.listeners.delete(listener.userId);
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  private receive(raw: string): void {
    let published: PublishedLines;
    try {
      published = JSON.parse(raw) as PublishedLines;
    } catch {
      this.logger.warn('ignored a malformed log fan-out message');
      return;
    }
    if (!this.listeners.has(published.userId)) return;
    this.inbox.push({ ...published, frames: published.entries.map(logEventFrame) });
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      const delay = this.config.LOG_STREAM_COALESCE_MS;
      if (delay > 0) setTimeout(() => this.drain(), delay);
      else setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.drainScheduled = false;
    const byOwner = new Map<string, ReceivedLines[]>();
    for (const lines of this.inbox) {
      const list = byOwner.get(lines.userId);
      if (list) list.push(lines);
      else byOwner.set(lines.userId, [lines]);
    }
    this.inbox = [];
    const shared = new Map<string, Delivery>();
    for (const [userId, batch] of byOwner) {
      const set = this.listeners.get(userId);
      if (!set) continue;
      for (const listener of [...set]) listener.deliver(batch, shared);
    }
  }
}
