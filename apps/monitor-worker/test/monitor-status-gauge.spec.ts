import { INestApplication } from '@nestjs/common';
import { metricsRegistry } from '@epitrace/metrics';
import { MonitorStatusGauge } from '../src/maintenance/monitor-status-gauge.service';
import { PipelineFixture, startWorker } from './support/worker-harness';

async function gauge(): Promise<Record<string, number>> {
  const values = (await metricsRegistry.getSingleMetric('epitrace_monitors')?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [String(v.labels['status']), v.value]));
}

describe('epitrace_monitors gauge', () => {
  const fx = new PipelineFixture();
  let worker: INestApplication;

  beforeAll(async () => {
    await fx.setUp('monitor-gauge');
    worker = await startWorker({ databaseUrl: fx.db.url, queuePrefix: fx.prefix });
  });
  afterAll(async () => {
    await worker?.close();
    await fx.tearDown();
  });

  it('counts active monitors by status from Postgres, with PENDING for monitors without a verdict', async () => {
    // Created after the worker's schedule sync (its reconcile tick is an hour away): nothing checks them.
    const target = { url: 'http://127.0.0.1:1', check_interval: 3600 };
    await fx.createMonitor({ ...target, status: 'UP' });
    await fx.createMonitor({ ...target, status: 'UP' });
    const down = await fx.createMonitor({ ...target, status: 'DOWN' });
    await fx.createMonitor({ ...target, status: null });
    await fx.createMonitor({ ...target, status: 'DOWN', is_active: false });

    await worker.get(MonitorStatusGauge).refresh();
    expect(await gauge()).toEqual({ UP: 2, DOWN: 1, PENDING: 1 });

    await fx.pg.query(`UPDATE monitors SET is_active = false WHERE id = $1`, [down]);
    await worker.get(MonitorStatusGauge).refresh();
    expect(await gauge()).toEqual({ UP: 2, DOWN: 0, PENDING: 1 });
  });

  it('is published on the metrics endpoint text', async () => {
    await worker.get(MonitorStatusGauge).refresh();
    expect(await metricsRegistry.metrics()).toMatch(/epitrace_monitors\{status="UP"[^}]*\} 2\n/);
  });
});
