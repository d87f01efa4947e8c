import { checksTotal, metricsRegistry, startDefaultMetrics } from './metrics';

describe('metrics registry', () => {
  it('exposes EpiTrace counters with the app label in Prometheus text format', async () => {
    startDefaultMetrics('monitor-worker');
    checksTotal.inc({ result: 'up' }, 3);
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/epitrace_checks_total\{result="up",app="monitor-worker"\} 3/);
    expect(text).toContain('epitrace_process_resident_memory_bytes');
    expect(text).toContain('epitrace_nodejs_eventloop_lag_p99_seconds');
  });
});
