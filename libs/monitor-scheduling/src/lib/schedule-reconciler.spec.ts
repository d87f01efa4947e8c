import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { redisOptionsFromUrl } from '@epitrace/config';
import { QUEUES } from '@epitrace/queue-contracts';
import { TEST_REDIS_URL, deleteKeysWithPrefix, uniqueQueuePrefix } from '@epitrace/testing';
import { MonitorScheduler } from './monitor-scheduler.service';
import { ScheduleReconciler } from './schedule-reconciler';

describe('MonitorScheduler and ScheduleReconciler on a real Redis', () => {
  const prefix = uniqueQueuePrefix('sched');
  let queue: Queue;
  let scheduler: MonitorScheduler;
  let reconciler: ScheduleReconciler;

  beforeAll(() => {
    queue = new Queue(QUEUES.ANALYSIS_REQUESTS, { connection: redisOptionsFromUrl(TEST_REDIS_URL), prefix });
    scheduler = new MonitorScheduler(queue);
    reconciler = new ScheduleReconciler(scheduler);
  });
  afterAll(async () => {
    await queue.close();
    await deleteKeysWithPrefix(prefix);
  });

  it('queues the first check of a new schedule with no delay, then every interval', async () => {
    const id = randomUUID();
    await scheduler.schedule({ id, checkInterval: 60 });
    const [first] = await queue.getJobs(['waiting', 'delayed']).then((jobs) => jobs.filter((j) => j.data.monitorId === id));
    expect(first.name).toBe('monitor-check');
    expect(await first.getState()).toBe('waiting');
    expect((await scheduler.scheduledMonitorIds()).get(id)).toBe(60_000);
  });

  it('adds missing schedules, fixes wrong intervals and removes orphans, and then has nothing left to do', async () => {
    const [missing, wrong, same, orphan]: string[] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await scheduler.schedule({ id: wrong, checkInterval: 30 });
    await scheduler.schedule({ id: same, checkInterval: 45 });
    await scheduler.schedule({ id: orphan, checkInterval: 30 });
    const before = await scheduler.scheduledMonitorIds();
    const others = [...before.entries()].filter(([id]) => ![wrong, same, orphan].includes(id)).map(([id, every]) => ({ id, checkInterval: every / 1000 }));
    const active = [...others, { id: missing, checkInterval: 20 }, { id: wrong, checkInterval: 40 }, { id: same, checkInterval: 45 }];

    expect(await reconciler.reconcile(async () => active)).toEqual({ added: 1, rescheduled: 1, removed: 1, unchanged: others.length + 1 });
    const after = await scheduler.scheduledMonitorIds();
    expect(after.get(missing)).toBe(20_000);
    expect(after.get(wrong)).toBe(40_000);
    expect(after.has(orphan)).toBe(false);
    expect(await reconciler.reconcile(async () => active)).toEqual({ added: 0, rescheduled: 0, removed: 0, unchanged: active.length });
  });

  it('spreads re-created schedules over the interval instead of firing them all at once', async () => {
    const ids: string[] = Array.from({ length: 20 }, () => randomUUID());
    await reconciler.reconcile(async () => ids.map((id) => ({ id, checkInterval: 600 })));
    const jobs = (await queue.getJobs(['delayed', 'waiting'])).filter((j) => ids.includes(j.data.monitorId));
    const dueTimes = new Set(jobs.map((j) => Math.round((j.timestamp + j.delay) / 1000)));
    expect(jobs).toHaveLength(20);
    expect(dueTimes.size).toBeGreaterThan(10);
  });
});
