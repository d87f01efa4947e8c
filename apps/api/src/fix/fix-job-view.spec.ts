import type { FixJob } from '@epitrace/entities';
import { isFinished, mayBeRetried, pullRequestUrl, statusLabel, stepsOf } from './fix-job-view';

const job = (fields: Partial<FixJob>): FixJob => ({ status: 'queued', stepTimestamps: {}, prUrl: null, ...fields }) as FixJob;

describe('what a person is shown about a fix job', () => {
  it('lists the steps oldest first with their labels, whatever order they were stored in', () => {
    const steps = stepsOf(job({ stepTimestamps: { fixing: '2026-11-25T21:00:09.000Z', queued: '2026-11-25T21:00:00.000Z', cloning: '2026-11-25T21:00:02.000Z' } }));
    expect(steps).toEqual([
      { status: 'queued', label: 'Queued', at: '2026-11-25T21:00:00.000Z' },
      { status: 'cloning', label: 'Cloning the repository', at: '2026-11-25T21:00:02.000Z' },
      { status: 'fixing', label: 'Cline is fixing the code', at: '2026-11-25T21:00:09.000Z' },
    ]);
    expect(statusLabel('some-future-step')).toBe('some-future-step');
  });

  it('links only web addresses as the pull request', () => {
    expect(pullRequestUrl(job({ prUrl: 'https://github.com/acme/shop/pull/7' }))).toBe('https://github.com/acme/shop/pull/7');
    expect(pullRequestUrl(job({ prUrl: 'javascript:alert(1)' }))).toBeNull();
    expect(pullRequestUrl(job({ prUrl: 'not a url' }))).toBeNull();
    expect(pullRequestUrl(job({}))).toBeNull();
  });

  it('tells finished jobs from running ones, and which finished ones may be retried', () => {
    expect(['queued', 'fixing', 'opening-pr'].map((status) => isFinished(job({ status: status as FixJob['status'] })))).toEqual([false, false, false]);
    expect(['done', 'failed', 'no-change'].map((status) => isFinished(job({ status: status as FixJob['status'] })))).toEqual([true, true, true]);
    expect(['done', 'failed', 'no-change'].map((status) => mayBeRetried(job({ status: status as FixJob['status'] })))).toEqual([false, true, true]);
  });
});
