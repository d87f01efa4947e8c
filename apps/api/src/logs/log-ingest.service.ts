import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { QueryRunner } from 'typeorm';
import type { CodeWorkerLogEntryInput } from '@epitrace/queue-contracts';
import { redactSecrets } from '@epitrace/secrets';
import { toLogEntry } from './log-entry';
import { LogFanout } from './log-fanout.service';
import { LogStore, NewLogLine } from './log-store.service';

/** Postgres text cannot hold NUL; tool output sometimes contains it. */
const NUL = String.fromCharCode(0);
/** Most lines one INSERT carries (8 parameters each, far below Postgres' 65535). */
const MAX_GROUP_LINES = 2_000;
const OWNER_CACHE_SIZE = 10_000;
const LOCK_HOLD_MS = 500;

export interface IngestResult {
  accepted: number;
  /** Lines whose jobId names no fix job: kept for the retention period, never streamed. */
  unowned: number;
}

interface PendingWrite {
  lines: NewLogLine[];
  done: (err?: unknown) => void;
}

/**
 * Persists code-worker log lines with their job's owner, then publishes them to every replica.
 * Concurrent requests for one owner are written together (one lock, one INSERT, one publish),
 * so a burst of single-line requests costs about as much as one batch.
 */
@Injectable()
export class LogIngestService {
  private readonly writeQueues = new Map<string, PendingWrite[]>();
  /** fix_jobs.user_id never changes, so a known owner can be remembered. */
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly store: LogStore,
    private readonly fanout: LogFanout,
    @InjectPinoLogger(LogIngestService.name) private readonly logger: PinoLogger,
  ) {}

  async ingest(inputs: CodeWorkerLogEntryInput[]): Promise<IngestResult> {
    const owners = await this.ownersOf(inputs);
    const byOwner = new Map<string | null, NewLogLine[]>();
    for (const input of inputs) {
      const jobId = input.jobId?.toLowerCase() ?? null;
      const userId = (jobId && owners.get(jobId)) || null;
      const group = byOwner.get(userId) ?? [];
      group.push(this.toNewLine(input, jobId, userId));
      byOwner.set(userId, group);
    }

    let unowned = 0;
    await Promise.all(
      [...byOwner].map(([userId, lines]) => {
        if (userId) return this.write(userId, lines);
        unowned += lines.length;
        return this.store.insert(lines);
      }),
    );
    return { accepted: inputs.length, unowned };
  }

  private async ownersOf(inputs: CodeWorkerLogEntryInput[]): Promise<Map<string, string>> {
    const jobIds = [...new Set(inputs.map((i) => i.jobId?.toLowerCase()).filter((id): id is string => !!id))];
    const unknown = jobIds.filter((id) => !this.owners.has(id));
    if (unknown.length) {
      const found = await this.store.ownersOf(unknown);
      if (this.owners.size + found.size > OWNER_CACHE_SIZE) this.owners.clear();
      for (const [jobId, userId] of found) this.owners.set(jobId, userId);
    }
    return this.owners;
  }

  /** Resolves once the lines are stored (and published, if Redis allows). */
  private write(userId: string, lines: NewLogLine[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.writeQueues.get(userId);
      const pending: PendingWrite = { lines, done: (err) => (err ? reject(err) : resolve()) };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.writeQueues.set(userId, [pending]);
      void this.drainWrites(userId);
    });
  }

  /**
   * Writes the owner's queued lines under the owner's lock (see LogStore.withOwnerLock), so
   * they reach Redis in id order across replicas. The lock is kept while more lines keep
   * arriving (up to LOCK_HOLD_MS, then other replicas get their turn): under load each group
   * costs one INSERT and one PUBLISH, not a lock round trip as well.
   */
  private async drainWrites(userId: string): Promise<void> {
    const queue = this.writeQueues.get(userId) ?? [];
    while (queue.length) {
      try {
        await this.store.withOwnerLock(userId, async (runner) => {
          const since = Date.now();
          while (queue.length && Date.now() - since < LOCK_HOLD_MS) {
            const group = this.nextGroup(queue);
            try {
              await this.persistAndPublish(userId, group.flatMap((g) => g.lines), runner);
              for (const g of group) g.done();
            } catch (err) {
              for (const g of group) g.done(err);
            }
          }
        });
      } catch (err) {
        // The lock or its connection failed: fail what is waiting rather than retry forever.
        for (const g of queue.splice(0)) g.done(err);
      }
    }
    this.writeQueues.delete(userId);
  }

  private nextGroup(queue: PendingWrite[]): PendingWrite[] {
    const group: PendingWrite[] = [];
    let count = 0;
    while (queue.length && (count === 0 || count + queue[0].lines.length <= MAX_GROUP_LINES)) {
      const next = queue.shift() as PendingWrite;
      group.push(next);
      count += next.lines.length;
    }
    return group;
  }

  private async persistAndPublish(userId: string, lines: NewLogLine[], runner: QueryRunner): Promise<void> {
    const saved = await this.store.insert(lines, runner);
    try {
      await this.fanout.publish({ userId, entries: saved.map(toLogEntry) });
    } catch (err) {
      // The lines are stored; live readers pick them up when they resume from the database.
      this.logger.warn({ err: (err as Error).message, lines: saved.length }, 'could not publish log lines to Redis');
    }
  }

  private toNewLine(input: CodeWorkerLogEntryInput, jobId: string | null, userId: string | null): NewLogLine {
    return {
      jobId,
      userId,
      ts: input.ts ? new Date(input.ts) : null,
      level: input.level ?? 'info',
      stage: input.stage ?? null,
      category: input.category ?? null,
      repo: input.repo ? redactSecrets(input.repo) : null,
      // Defence in depth: the code worker redacts too, but a line that leaks a token must not be stored or streamed.
      message: redactSecrets(input.message).replaceAll(NUL, '\uFFFD'),
    };
  }
}
