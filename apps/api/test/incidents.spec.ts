import { MonitorScheduler } from '@epitrace/monitor-scheduling';
import { monitorBody, NIL_UUID } from './support/fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

describe('incident and stats routes', () => {
  let api: TestApi;
  let ann: TestUser;
  let bob: TestUser;
  let monitorId: string;

  const insertIncident = async (openedAt: string, resolvedAt: string | null) =>
    (
      await api.query<{ id: string }>(
        `INSERT INTO incidents (monitor_id, user_id, state, opened_at, resolved_at, cause, status_code, down_event_enqueued_at)
         VALUES ($1, $2, $3, $4, $5, 'unexpected status 503 (expected 200-399)', 503, now()) RETURNING id`,
        [monitorId, ann.id, resolvedAt ? 'resolved' : 'open', openedAt, resolvedAt],
      )
    )[0].id;

  beforeAll(async () => {
    api = await startTestApi({ label: 'incidents' });
    ann = await api.registerUser();
    bob = await api.registerUser();
    monitorId = (await ann.post('/monitor/create').send(monitorBody()).expect(201)).body.data.id;
  });
  afterAll(() => api?.stop());

  it("lists a monitor's incidents newest first, with duration and cause", async () => {
    const older = await insertIncident('2026-01-01T10:00:00Z', '2026-01-01T10:05:00Z');
    const newer = await insertIncident(new Date(Date.now() - 60_000).toISOString(), null);
    const res = await ann.get(`/monitor/${monitorId}/incidents`).expect(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.map((i: { id: string }) => i.id)).toEqual([newer, older]);
    expect(res.body.data[1]).toMatchObject({
      id: older,
      monitor_id: monitorId,
      state: 'resolved',
      opened_at: '2026-01-01T10:00:00.000Z',
      resolved_at: '2026-01-01T10:05:00.000Z',
      duration_seconds: 300,
      cause: 'unexpected status 503 (expected 200-399)',
      status_code: 503,
      analysis_status: 'pending',
      analysis: null,
    });
    expect(res.body.data[0].duration_seconds).toBeGreaterThanOrEqual(60);
    const page = await ann.get(`/monitor/${monitorId}/incidents?limit=1&offset=1`).expect(200);
    expect(page.body.data.map((i: { id: string }) => i.id)).toEqual([older]);
  });

  it('returns one incident by id, and 404 for a missing, foreign or malformed id', async () => {
    const id = await insertIncident('2026-02-01T00:00:00Z', '2026-02-01T00:10:00Z');
    const res = await ann.get(`/incidents/${id}`).expect(200);
    expect(res.body).toEqual({ success: true, data: expect.objectContaining({ id, state: 'resolved', duration_seconds: 600, user_id: ann.id }) });
    await bob.get(`/incidents/${id}`).expect(404, { error: 'Incident not found' });
    await ann.get(`/incidents/${NIL_UUID}`).expect(404, { error: 'Incident not found' });
    await ann.get('/incidents/not-a-uuid').expect(404, { error: 'Incident not found' });
    await api.request().get(`/incidents/${id}`).expect(401);
  });

  it("never shows another user's monitor incidents or stats", async () => {
    await bob.get(`/monitor/${monitorId}/incidents`).expect(404, { error: 'Monitor not found' });
    await bob.get(`/monitor/${monitorId}/stats`).expect(404, { error: 'Monitor not found' });
    await ann.get('/monitor/nope/stats').expect(404, { error: 'Monitor not found' });
  });

  it('computes uptime, percentiles and incident count from hourly rollups plus the raw checks not rolled up yet', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody()).expect(201);
    const id = body.data.id;
    const hour = 3_600_000;
    const lastCompleteHour = new Date(Math.floor(Date.now() / hour) * hour - hour);
    // Two rolled-up hours: 10 checks each, 9 and 8 up; 20 response times all in bucket 7 ([100,150) ms).
    for (const [offset, up] of [[1, 9], [0, 8]] as const) {
      await api.query(
        `INSERT INTO monitor_check_rollups (monitor_id, bucket_start, checks, up_checks, response_time_count, response_time_sum, response_time_histogram)
         VALUES ($1, $2, 10, $3, 10, 1200, '{"7": 10}')`,
        [id, new Date(lastCompleteHour.getTime() - offset * hour), up],
      );
    }
    // The hour in progress: raw rows only (a raw row in an already rolled-up hour must not count twice).
    const now = Date.now();
    await api.query(
      `INSERT INTO monitor_checks (monitor_id, status, response_time_ms, checked_at, scheduled_at)
       SELECT $1, CASE WHEN n < 4 THEN 'UP' ELSE 'DOWN' END, CASE WHEN n < 4 THEN 2500 END, to_timestamp(($2::float8 - n * 1000) / 1000), to_timestamp(($2::float8 - n * 1000) / 1000)
         FROM generate_series(0, 4) n`,
      [id, now],
    );
    await api.query(
      `INSERT INTO monitor_checks (monitor_id, status, response_time_ms, checked_at, scheduled_at) VALUES ($1, 'UP', 999, $2, $2)`,
      [id, new Date(lastCompleteHour.getTime() + 60_000)],
    );
    await api.query(`INSERT INTO incidents (monitor_id, user_id, state, opened_at) VALUES ($1, $2, 'resolved', now() - interval '2 hours')`, [id, ann.id]);
    await api.query(`INSERT INTO incidents (monitor_id, user_id, state, opened_at) VALUES ($1, $2, 'resolved', now() - interval '3 days')`, [id, ann.id]);

    const day = (await ann.get(`/monitor/${id}/stats`).expect(200)).body.data;
    expect(day).toMatchObject({
      monitor_id: id,
      window: '24h',
      checks: 25,
      up_checks: 21,
      down_checks: 4,
      uptime_percent: 84,
      incidents: 1,
    });
    expect(day.response_time_ms.avg).toBe(Math.round((2400 + 4 * 2500) / 24));
    expect(day.response_time_ms.p50).toBeGreaterThanOrEqual(100);
    expect(day.response_time_ms.p50).toBeLessThan(150);
    expect(day.response_time_ms.p95).toBeGreaterThanOrEqual(2000);
    expect(day.response_time_ms.p95).toBeLessThan(3000);

    expect((await ann.get(`/monitor/${id}/stats?window=7d`).expect(200)).body.data).toMatchObject({ window: '7d', checks: 25, incidents: 2 });
  });

  it('answers an unknown window with 422 and a monitor without checks with empty stats', async () => {
    const res = await ann.get(`/monitor/${monitorId}/stats?window=1y`).expect(422);
    expect(res.body).toEqual({ success: false, errors: [expect.objectContaining({ path: ['window'] })] });
    const { body } = await ann.get(`/monitor/${monitorId}/stats?window=30d`).expect(200);
    expect(body.data).toMatchObject({ checks: 0, uptime_percent: null, response_time_ms: { avg: null, p50: null, p95: null } });
  });

  it('PATCH of check_interval reschedules an active monitor at once', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody({ is_active: true, check_interval: 60 })).expect(201);
    const scheduler = api.app.get(MonitorScheduler);
    expect((await scheduler.scheduledMonitorIds()).get(body.data.id)).toBe(60_000);
    await ann.patch(`/monitor/${body.data.id}`).send({ check_interval: 120 }).expect(200);
    expect((await scheduler.scheduledMonitorIds()).get(body.data.id)).toBe(120_000);
  });
});
