import { INestApplication } from '@nestjs/common';
import { JOBS, JOB_OPTIONS, QUEUES, buildPayload, jobIds } from '@epitrace/queue-contracts';
import { LogCapture, LogLine, waitFor } from '@epitrace/testing';
import { PipelineFixture, Target, respondWith, startTarget, startWorker } from './support/worker-harness';

/**
 * An operator follows one outage by filtering the logs on its ids: every line the worker logs
 * about a monitor must carry that monitor's id (and its incident's, once there is one), even with
 * several monitors' checks interleaved in one process and their rows written in shared batches.
 */
describe('monitor-worker log lines carry the ids they concern', () => {
  const fx = new PipelineFixture();
  const logs = new LogCapture();
  let target: Target;
  let worker: INestApplication;
  let monitors: string[];

  beforeAll(async () => {
    await fx.setUp('logids');
    target = await startTarget();
    target.handler = respondWith(503);
    monitors = [];
    for (let i = 0; i < 3; i++) monitors.push(await fx.createMonitor({ url: `${target.url}/m${i}`, failure_threshold: 1, check_interval: 60 }));
    worker = await startWorker({ databaseUrl: fx.db.url, queuePrefix: fx.prefix, logs, extra: { LOG_LEVEL: 'debug' } });
    // What the api enqueues when a monitor is started: a check at once, through the real processor.
    const checks = fx.queue(QUEUES.ANALYSIS_REQUESTS);
    const now = Date.now();
    for (const id of monitors) await checks.add(JOBS.MONITOR_STARTED, buildPayload(JOBS.MONITOR_STARTED, { monitorId: id }), { ...JOB_OPTIONS.monitorCheck, jobId: jobIds.monitorStarted(id, now) });
    await waitFor(
      async () => {
        for (const id of monitors) if ((await fx.incidents(id)).length !== 1) return false;
        return true;
      },
      { timeoutMs: 20_000, what: 'an incident per monitor' },
    );
    await waitFor(async () => logs.parsed().filter((l) => String(l.msg).includes('is DOWN')).length === monitors.length, { timeoutMs: 5_000, what: 'a DOWN line per monitor' });
  });

  afterAll(async () => {
    await worker?.close();
    await target?.close();
    await fx.tearDown();
  });

  const mentioning = (id: string): LogLine[] => logs.parsed().filter((l) => String(l.msg).includes(id));

  it("stamps each failed check's line with its job and monitor, never another monitor's", () => {
    for (const id of monitors) {
      const failed = mentioning(id).filter((l) => String(l.msg).startsWith(`check of monitor ${id} failed`));
      expect(failed.length).toBeGreaterThanOrEqual(1);
      for (const line of failed) {
        expect(line['monitorId']).toBe(id);
        expect(String(line['jobId'])).toContain(id);
      }
    }
  });

  it('stamps the DOWN line with the monitor and the incident it opened', async () => {
    for (const id of monitors) {
      const [incident] = await fx.incidents(id);
      const down = mentioning(id).filter((l) => String(l.msg).includes('is DOWN'));
      expect(down).toEqual([expect.objectContaining({ monitorId: id, incidentId: incident.id, msg: `monitor ${id} is DOWN: incident ${incident.id} opened` })]);
    }
  });

  it('every line that names a monitor carries that id as a field', () => {
    const named = monitors.flatMap((id) => mentioning(id).map((line) => ({ id, line })));
    expect(named.length).toBeGreaterThanOrEqual(monitors.length * 2);
    for (const { id, line } of named) expect(line['monitorId']).toBe(id);
  });
});
