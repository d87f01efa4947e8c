import { jobIds } from './job-options';

const id = '3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b';

describe('deterministic job ids', () => {
  it('are accepted by BullMQ, which refuses a custom id with ":" unless it has exactly three parts', () => {
    const ids = [jobIds.monitorDown(id), jobIds.monitorRecovered(id), jobIds.fixFinished(id), jobIds.codeJob(id), jobIds.monitorStarted(id, 1)];
    for (const jobId of ids) expect(!jobId.includes(':') || jobId.split(':').length === 3).toBe(true);
  });

  it('differ between the down and recovery events of one incident', () => {
    expect(jobIds.monitorDown(id)).not.toBe(jobIds.monitorRecovered(id));
  });
});
