import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The ids a log line is about. Every line logged while a job, an incident or a monitor is being
 * handled carries them as fields, so an operator can follow one outage or one fix job across
 * all four apps with a single filter (`incidentId="…"`).
 */
export interface LogIds {
  /** The BullMQ job being processed. */
  jobId?: string;
  monitorId?: string;
  incidentId?: string;
  fixJobId?: string;
}

const LOG_ID_KEYS: readonly (keyof LogIds)[] = ['jobId', 'monitorId', 'incidentId', 'fixJobId'];

const storage = new AsyncLocalStorage<LogIds>();

function definedIds(source: Record<string, unknown>): LogIds {
  const ids: LogIds = {};
  for (const key of LOG_ID_KEYS) {
    const value = source[key];
    if (typeof value === 'string' && value) ids[key] = value;
  }
  return ids;
}

/** Runs `fn` with these ids (on top of the ones already in force) on every line it logs, also after awaits and in timers it starts. */
export function withLogIds<T>(ids: LogIds, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...definedIds(ids as Record<string, unknown>) }, fn);
}

/** Adds ids learnt on the way (the monitor of an incident, say) to the lines still to come in this context. */
export function addLogIds(ids: LogIds): void {
  const store = storage.getStore();
  if (store) Object.assign(store, definedIds(ids as Record<string, unknown>));
}

/**
 * Runs `fn` outside any id context. For work shared by many jobs (a batch writer, a coalescing
 * loader): a timer it starts would otherwise inherit, and stamp on its lines, the ids of whichever
 * job happened to start it.
 */
export function withoutLogIds<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The ids in force here (a copy); pino's mixin adds them to every line. */
export function currentLogIds(): LogIds {
  const store = storage.getStore();
  return store ? { ...store } : {};
}

/** The ids a queue job concerns: its own id and whichever of the known ids its payload names. */
export function logIdsOfJob(job: { id?: string | null; data?: unknown }): LogIds {
  const data = job.data !== null && typeof job.data === 'object' ? definedIds(job.data as Record<string, unknown>) : {};
  return { ...data, ...(job.id ? { jobId: job.id } : {}) };
}
