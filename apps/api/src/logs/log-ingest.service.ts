import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { CodeWorkerLogEntryInput } from '@epitrace/queue-contracts';
import { redactSecrets } from '@epitrace/secrets';
import { toLogEntry } from './log-entry';
import { LogFanout } from './log-fanout.service';
import { LogStore, NewLogLine } from './log-store.service';

/** Postgres text cannot hold NUL; tool output sometimes contains it. */
const NUL = String.fromCharCode(0);

export interface IngestResult {
  accepted: number;
  /** Lines whose jobId names no fix job: kept for the retention period, never streamed. */
  unowned: number;
}

/** Persists code-worker log lines with their job's owner, then publishes them to every replica. */
@Injectable()
export class LogIngestService {
  constructor(
    private readonly store: LogStore,
    private readonly fanout: LogFanout,
    @InjectPinoLogger(LogIngestService.name) private readonly logger: PinoLogger,
  ) {}

  async ingest(inputs: CodeWorkerLogEntryInput[]): Promise<IngestResult> {
    const jobIds = [...new Set(inputs.map((i) => i.jobId?.toLowerCase()).filter((id): id is string => !!id))];
    const owners = await this.store.ownersOf(jobIds);
    const byOwner = new Map<string | null, NewLogLine[]>();
    for (const input of inputs) {
      const jobId = input.jobId?.toLowerCase() ?? null;
      const userId = (jobId && owners.get(jobId)) || null;
      const group = byOwner.get(userId) ?? [];
      group.push(this.toNewLine(input, jobId, userId));
      byOwner.set(userId, group);
    }

    let unowned = 0;
    for (const [userId, lines] of byOwner) {
      if (!userId) {
        await this.store.insert(lines);
        unowned += lines.length;
        continue;
      }
      await this.store.withOwnerLock(userId, async (runner) => {
        const saved = await this.store.insert(lines, runner);
        try {
          await this.fanout.publish({ userId, entries: saved.map(toLogEntry) });
        } catch (err) {
          // The lines are stored; live readers pick them up when they resume from the database.
          this.logger.warn({ err: (err as Error).message, lines: saved.length }, 'could not publish log lines to Redis');
        }
      });
    }
    return { accepted: inputs.length, unowned };
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
