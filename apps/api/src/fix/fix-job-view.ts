import { FIX_JOB_FINAL_STATUSES, type FixJob, type FixJobStatus } from '@epitrace/entities';

// What a person is shown about a fix job: on the alert-link pages and by their status poller.

/** What each step means to a person reading the status page. */
const STEP_LABELS: Record<FixJobStatus, string> = {
  queued: 'Queued',
  cloning: 'Cloning the repository',
  'baseline-tests': 'Running the tests before the fix',
  fixing: 'Cline is fixing the code',
  testing: 'Running the tests after the fix',
  pushing: 'Pushing the fix branch',
  'opening-pr': 'Opening the pull request',
  done: 'Done',
  failed: 'Failed',
  'no-change': 'Finished without a change',
};

export interface FixJobStep {
  status: string;
  label: string;
  /** When the step began (ISO 8601). */
  at: string;
}

export function statusLabel(status: string): string {
  return STEP_LABELS[status as FixJobStatus] ?? status;
}

/** The steps the job went through, oldest first. */
export function stepsOf(job: FixJob): FixJobStep[] {
  return Object.entries(job.stepTimestamps ?? {})
    .map(([status, at]) => ({ status, label: statusLabel(status), at: String(at) }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

/** Done, failed or no-change: the job never changes again. */
export function isFinished(job: FixJob): boolean {
  return FIX_JOB_FINAL_STATUSES.includes(job.status);
}

/** The pull request link, if it is a web address (it is shown as a link, so never a `javascript:` one). */
export function pullRequestUrl(job: FixJob): string | null {
  if (!job.prUrl) return null;
  try {
    const { protocol } = new URL(job.prUrl);
    return protocol === 'https:' || protocol === 'http:' ? job.prUrl : null;
  } catch {
    return null;
  }
}

/** Failed or no-change: a new attempt has to be started by hand. */
export function mayBeRetried(job: FixJob): boolean {
  return job.status === 'failed' || job.status === 'no-change';
}
