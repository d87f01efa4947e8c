import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric EpiTrace exports, defined once. Each process registers only what it uses, but the
 * names and labels live here so dashboards and alerts can rely on them across apps.
 * One registry per process; `app` is a default label so replicas and apps can be told apart.
 */
export const metricsRegistry = new Registry();

let defaultsStarted = false;
export function startDefaultMetrics(app: string): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  metricsRegistry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'epitrace_' });
}

export const checksTotal = new Counter({
  name: 'epitrace_checks_total',
  help: 'HTTP checks run, by result',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export const checkDurationSeconds = new Histogram({
  name: 'epitrace_check_duration_seconds',
  help: 'Duration of HTTP checks (request start to body read or deadline)',
  labelNames: ['result'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const monitorsByStatus = new Gauge({
  name: 'epitrace_monitors',
  help: 'Active monitors by current status (UP, DOWN, PENDING before the first verdict)',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

export const queueJobs = new Gauge({
  name: 'epitrace_queue_jobs',
  help: 'BullMQ jobs per queue and state, read at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
});

export const incidentsTotal = new Counter({
  name: 'epitrace_incidents_total',
  help: 'Incident transitions (opened, resolved)',
  labelNames: ['transition'] as const,
  registers: [metricsRegistry],
});

export const alertDeliveriesTotal = new Counter({
  name: 'epitrace_alert_deliveries_total',
  help: 'Alert delivery attempts by provider and result (sent, retry, failed)',
  labelNames: ['provider', 'result'] as const,
  registers: [metricsRegistry],
});

export const clineRunsTotal = new Counter({
  name: 'epitrace_cline_runs_total',
  help: 'Cline runs by mode (plan, act) and outcome',
  labelNames: ['mode', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const clineRunDurationSeconds = new Histogram({
  name: 'epitrace_cline_run_duration_seconds',
  help: 'Duration of Cline runs by mode and outcome',
  labelNames: ['mode', 'outcome'] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200],
  registers: [metricsRegistry],
});

export const fixJobsTotal = new Counter({
  name: 'epitrace_fix_jobs_total',
  help: 'Finished fix jobs by outcome (done, no-change, failed)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});
