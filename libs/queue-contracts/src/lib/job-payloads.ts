import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { JOBS, JobName } from './queue-names';

const uuid = z.string().uuid();

/**
 * One payload schema per job name. Payloads carry ids only: never a token, a webhook URL or
 * any other secret (job data is visible to anyone with Redis access, e.g. in Bull Board).
 * `.strict()` makes a producer that starts adding fields fail loudly in tests.
 */
export const JOB_PAYLOAD_SCHEMAS = {
  [JOBS.MONITOR_STARTED]: z.object({ monitorId: uuid }).strict(),
  [JOBS.MONITOR_CHECK]: z.object({ monitorId: uuid }).strict(),
  [JOBS.MONITOR_DOWN]: z.object({ incidentId: uuid, monitorId: uuid }).strict(),
  [JOBS.MONITOR_RECOVERED]: z.object({ incidentId: uuid, monitorId: uuid }).strict(),
  [JOBS.FIX_FINISHED]: z.object({ incidentId: uuid, fixJobId: uuid }).strict(),
  [JOBS.CODE_JOB]: z.object({ incidentId: uuid, fixJobId: uuid }).strict(),
} as const satisfies Record<JobName, z.ZodTypeAny>;

export type JobPayloads = { [N in JobName]: z.infer<(typeof JOB_PAYLOAD_SCHEMAS)[N]> };
export type JobPayload<N extends JobName> = JobPayloads[N];

/** A job as a processor sees it after validation: switch on `name` and `data` is typed. */
export type ValidatedJob = { [N in JobName]: { name: N; data: JobPayloads[N] } }[JobName];

export class InvalidJobPayloadError extends Error {
  constructor(
    readonly jobName: string,
    readonly problems: string[],
  ) {
    super(`invalid payload for job "${jobName}": ${problems.join('; ')}`);
    this.name = 'InvalidJobPayloadError';
  }
}

function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(JOB_PAYLOAD_SCHEMAS, name);
}

/**
 * Validates a job taken from a queue. Throws InvalidJobPayloadError for an unknown name or a
 * malformed payload; processors should fail such a job without retrying (it will not heal).
 */
export function parseJob(name: string, data: unknown): ValidatedJob {
  if (!isJobName(name)) throw new InvalidJobPayloadError(name, ['unknown job name']);
  const result = JOB_PAYLOAD_SCHEMAS[name].safeParse(data);
  if (!result.success) {
    throw new InvalidJobPayloadError(
      name,
      result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`),
    );
  }
  return { name, data: result.data } as ValidatedJob;
}

/** Validates a payload before it is enqueued, so a bad producer fails at the source. */
export function buildPayload<N extends JobName>(name: N, data: JobPayloads[N]): JobPayloads[N] {
  return parseJob(name, data).data as JobPayloads[N];
}

/**
 * parseJob for a processor: a malformed or unknown job will not heal by retrying, so it fails
 * for good (BullMQ's UnrecoverableError) instead of using up its attempts.
 */
export function parseJobOrFail(job: { name: string; data: unknown }): ValidatedJob {
  try {
    return parseJob(job.name, job.data);
  } catch (err) {
    if (err instanceof InvalidJobPayloadError) throw new UnrecoverableError(err.message);
    throw err;
  }
}
