/**
 * Queue and job names are a wire contract between separately deployed apps (and with jobs
 * already sitting in Redis during an upgrade): never rename one; add new ones instead.
 */
export const QUEUES = {
  /** Checks to run: one job scheduler per active monitor. Consumed by monitor-worker. */
  ANALYSIS_REQUESTS: 'analysis-requests',
  /** Incident lifecycle events. Consumed by analysis-agent (analysis and alerts). */
  DOWN_MONITORS: 'down-monitors',
  /** Auto-fix jobs. Consumed by code-agent. */
  CODE: 'code_queue',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  /** First check of a monitor that has just been started (enqueued at once). */
  MONITOR_STARTED: 'monitor-started',
  /** A scheduled check (repeating, from the monitor's job scheduler). */
  MONITOR_CHECK: 'monitor-check',
  /** An incident opened: analyse it and alert the team. */
  MONITOR_DOWN: 'monitor-down',
  /** An incident resolved: tell the team, with the outage duration. */
  MONITOR_RECOVERED: 'monitor-recovered',
  /** A fix job finished (PR opened, no change, or failed): tell the team. */
  FIX_FINISHED: 'fix-finished',
  /** Run the auto-fix for an incident. */
  CODE_JOB: 'code-job',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Which jobs travel on which queue. */
export const QUEUE_JOBS = {
  [QUEUES.ANALYSIS_REQUESTS]: [JOBS.MONITOR_STARTED, JOBS.MONITOR_CHECK],
  [QUEUES.DOWN_MONITORS]: [JOBS.MONITOR_DOWN, JOBS.MONITOR_RECOVERED, JOBS.FIX_FINISHED],
  [QUEUES.CODE]: [JOBS.CODE_JOB],
} as const satisfies Record<QueueName, readonly JobName[]>;
