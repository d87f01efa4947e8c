import { UnrecoverableError } from 'bullmq';
import { InvalidJobPayloadError, buildPayload, parseJob, parseJobOrFail } from './job-payloads';
import { JOBS, QUEUE_JOBS, QUEUES } from './queue-names';

const id = '3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b';

describe('job payload contract', () => {
  it('keeps the queue names existing deployments use', () => {
    expect(QUEUES).toEqual({ ANALYSIS_REQUESTS: 'analysis-requests', DOWN_MONITORS: 'down-monitors', CODE: 'code_queue' });
    expect(QUEUE_JOBS['analysis-requests']).toEqual(['monitor-started', 'monitor-check']);
    expect(QUEUE_JOBS['code_queue']).toEqual(['code-job']);
  });

  it('accepts a well-formed payload and types it by job name', () => {
    const job = parseJob(JOBS.CODE_JOB, { incidentId: id, fixJobId: id });
    expect(job.name).toBe('code-job');
    if (job.name === JOBS.CODE_JOB) expect(job.data.fixJobId).toBe(id);
  });

  it('rejects unknown job names, malformed ids and extra fields such as a token', () => {
    expect(() => parseJob('monitor-exploded', { monitorId: id })).toThrow(InvalidJobPayloadError);
    expect(() => parseJob(JOBS.MONITOR_CHECK, { monitorId: 'not-a-uuid' })).toThrow(/monitorId/);
    expect(() => buildPayload(JOBS.CODE_JOB, { incidentId: id, fixJobId: id, token: 'ghp_x' } as never)).toThrow(
      /token|Unrecognized/,
    );
  });
});

describe('parseJobOrFail', () => {
  it('fails a malformed job for good instead of letting BullMQ retry it', () => {
    expect(() => parseJobOrFail({ name: JOBS.MONITOR_CHECK, data: { monitorId: 'x' } })).toThrow(UnrecoverableError);
    expect(parseJobOrFail({ name: JOBS.MONITOR_CHECK, data: { monitorId: id } }).data).toEqual({ monitorId: id });
  });
});
