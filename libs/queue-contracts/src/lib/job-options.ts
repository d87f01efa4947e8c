import type { JobsOptions } from 'bullmq';

/** Keep enough finished jobs to debug with (Bull Board), bounded so Redis memory stays flat. */
const RETENTION = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

export const JOB_OPTIONS = {
  /**
   * A check is only worth running on time: no retries, the next scheduled run is the retry.
   * Completed checks are dropped at once: their result is the check row in Postgres, and at a
   * thousand a second trimming a kept set costs Redis more than the check itself.
   */
  monitorCheck: { attempts: 1, ...RETENTION, removeOnComplete: true },
  /** Analysis and alerting: retried with backoff; alerts must never be lost. */
  incidentEvent: { attempts: 5, backoff: { type: 'exponential', delay: 2_000 }, ...RETENTION },
  /** Auto-fix: a crash mid-job is retried a couple of times, then reported as failed. */
  codeJob: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, ...RETENTION },
} as const satisfies Record<string, JobsOptions>;

/**
 * Deterministic job ids make enqueueing idempotent: BullMQ ignores a second add with the same id.
 * BullMQ refuses a custom id containing ':' unless it has exactly three ':'-separated parts
 * ("Custom Id cannot contain :"), hence '-' as the separator.
 */
export const jobIds = {
  monitorDown: (incidentId: string) => `monitor-down-${incidentId}`,
  monitorRecovered: (incidentId: string) => `monitor-recovered-${incidentId}`,
  fixFinished: (fixJobId: string) => `fix-finished-${fixJobId}`,
  codeJob: (fixJobId: string) => `code-job-${fixJobId}`,
  /** The job scheduler (repeatable) key of a monitor's checks. */
  monitorScheduler: (monitorId: string) => `monitor:${monitorId}`,
  monitorStarted: (monitorId: string, at: number) => `monitor-started:${monitorId}:${at}`,
};
