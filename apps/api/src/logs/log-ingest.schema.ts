import { z } from 'zod';
import { LOG_LEVELS, type CodeWorkerLogEntryInput } from '@epitrace/queue-contracts';

export interface IngestLimits {
  maxMessageLength: number;
  maxBatch: number;
}

export interface IngestFieldError {
  path: (string | number)[];
  message: string;
}

export type ParsedIngestBody = { entries: CodeWorkerLogEntryInput[] } | { errors: IngestFieldError[] };

/** The contract's entry fields; unknown fields are refused so a typo never silently drops data. */
function entrySchema(limits: IngestLimits) {
  return z
    .object({
      message: z.string().min(1).max(limits.maxMessageLength),
      level: z.enum(LOG_LEVELS).optional(),
      stage: z.string().max(64).optional(),
      category: z.string().max(64).optional(),
      jobId: z.string().uuid().optional(),
      repo: z.string().max(2048).optional(),
      ts: z.string().datetime({ offset: true }).optional(),
    })
    .strict();
}

/** A single entry or a batch (array) of at most `maxBatch` entries; every problem is reported with its path. */
export function parseIngestBody(body: unknown, limits: IngestLimits): ParsedIngestBody {
  const entry = entrySchema(limits);
  const schema = Array.isArray(body) ? z.array(entry).min(1).max(limits.maxBatch) : entry;
  const result = schema.safeParse(body ?? {});
  if (result.success) {
    const data = result.data as CodeWorkerLogEntryInput | CodeWorkerLogEntryInput[];
    return { entries: Array.isArray(data) ? data : [data] };
  }
  return { errors: result.error.issues.slice(0, 50).map((i) => ({ path: i.path, message: i.message })) };
}
