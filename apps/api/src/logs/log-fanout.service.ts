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

/** A live reader registered on this replica (an SSE client). */
export interface LiveListener {
  readonly userId: string;
  /** Called for every published batch of the owner's lines (in id order), possibly several per tick. */
  accept(lines: ReceivedLines): void;
  /** Called once per tick after `accept` calls, so a client writes its socket once. */
  flush(): void;
  /** Live delivery was interrupted (Redis reconnected): lines may have been missed. */
  interrupted(): void;
}

/**
 * Cross-replica fan-out over Redis pub/sub. Every replica subscribes to one channel and hands
 * each owner's lines to the listeners of that owner on this replica. Messages arriving in the
 * same tick are dispatched together so a busy client gets one socket write, not one per line.
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
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.drainScheduled = false;
    const batch = this.inbox;
    this.inbox = [];
    const touched = new Set<LiveListener>();
    for (const lines of batch) {
      const set = this.listeners.get(lines.userId);
      if (!set) continue;
      for (const listener of set) {
        listener.accept(lines);
        touched.add(listener);
      }
    }
    for (const listener of touched) listener.flush();
  }
}
