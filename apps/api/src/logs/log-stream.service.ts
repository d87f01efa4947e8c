import { HttpException, HttpStatus, Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Request, Response } from 'express';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { ApiConfig } from '../config/api.config';
import { LogFanout } from './log-fanout.service';
import { LogScope, LogStore } from './log-store.service';
import { connectedFrame } from './sse-frames';
import { StreamClient } from './stream-client';
import { StreamSlots } from './stream-slots';

const REPLAY_PAGE = 500;
/** A stream over all of a user's jobs opened without Last-Event-ID starts with this many recent lines. */
const TAIL_LINES = 200;
const CLIENT_RETRY_MS = 2_000;

/** Opens and serves `GET /logs/code-worker/stream` connections on this replica. */
@Injectable()
export class LogStreamService implements OnModuleInit, OnModuleDestroy {
  private readonly clients = new Set<StreamClient>();
  private readonly slots: StreamSlots;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ApiConfig,
    private readonly store: LogStore,
    private readonly fanout: LogFanout,
    @InjectPinoLogger(LogStreamService.name) private readonly logger: PinoLogger,
  ) {
    this.slots = new StreamSlots(config.LOG_STREAM_MAX_PER_USER);
  }

  onModuleInit(): void {
    this.heartbeatTimer = setInterval(() => {
      const now = new Date();
      for (const client of this.clients) client.heartbeat(now);
    }, this.config.LOG_STREAM_HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeatTimer);
    // Open streams would keep the HTTP server from closing; clients reconnect to another replica.
    for (const client of [...this.clients]) client.close();
  }

  get openStreams(): number {
    return this.clients.size;
  }

  /** Streams `userId` holds open on this process (including ones still starting). */
  openStreamsOf(userId: string): number {
    return this.slots.heldBy(userId);
  }

  /**
   * Takes over the response: headers, `connected`, replay after `lastEventId`, then live lines
   * until the client leaves. Refuses with 429 (before any header is sent) when the user already
   * holds LOG_STREAM_MAX_PER_USER streams on this process.
   */
  async open(req: Request, res: Response, scope: LogScope, lastEventId: string | null): Promise<void> {
    // The client left while it was being authenticated: its 'close' has fired already, so a listener would never run.
    if (res.destroyed) return;
    const release = this.slots.tryTake(scope.userId);
    if (!release) throw tooManyStreams(this.slots.maxPerUser);
    let client: StreamClient | undefined;
    let gone = false;
    // Registered before the first await, so a client that vanishes at any point (even mid-setup) frees its slot.
    res.on('close', () => {
      gone = true;
      release();
      client?.close();
    });
    try {
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('Connection', 'keep-alive');
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      req.socket.setNoDelay(true);
      res.write(connectedFrame(scope.jobId, CLIENT_RETRY_MS));

      const start = lastEventId ?? (scope.jobId ? '0' : await this.store.idBeforeLast(scope, TAIL_LINES));
      if (gone) return;
      client = new StreamClient(res, scope, start, this.config.LOG_STREAM_MAX_BUFFER_BYTES, (c) => {
        this.forget(c);
        release();
      });
    } catch (err) {
      release();
      throw err;
    }
    this.clients.add(client);
    // Registered before the first read: every line committed after that read arrives live.
    this.fanout.add(client);
    try {
      await this.replay(client);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'log stream replay failed; closing the stream so the client resumes');
      client.close(true);
    }
  }

  private async replay(client: StreamClient): Promise<void> {
    for (;;) {
      const rows = await this.store.after(client.scope, client.cursor, REPLAY_PAGE);
      if (client.isClosed) return;
      await client.sendStored(rows);
      if (client.isClosed) return;
      if (rows.length === REPLAY_PAGE) {
        await client.roomToWrite();
        continue;
      }
      if (client.takeMissedLive()) continue;
      client.goLive();
      return;
    }
  }

  private forget(client: StreamClient): void {
    this.clients.delete(client);
    this.fanout.remove(client);
  }
}

function tooManyStreams(max: number): HttpException {
  return new HttpException(
    { error: `Too many open log streams: at most ${max} per user on this server. Close one (another tab or client) and try again.` },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
