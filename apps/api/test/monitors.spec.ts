import { MonitorScheduler } from '@epitrace/monitor-scheduling';
import { monitorBody } from './support/fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

describe('monitor routes', () => {
  let api: TestApi;
  let ann: TestUser;
  let scheduled: () => Promise<Map<string, number>>;

  beforeAll(async () => {
    api = await startTestApi({ label: 'monitors' });
    ann = await api.registerUser();
    const scheduler = api.app.get(MonitorScheduler);
    scheduled = () => scheduler.scheduledMonitorIds();
  });
  afterAll(() => api?.stop());

  it('creates an inactive monitor with the documented defaults and the contract row shape', async () => {
    const res = await ann.post('/monitor/create').send(monitorBody({ name: 'Defaults' })).expect(201);
    expect(res.body).toEqual({
      success: true,
      data: {
        id: expect.any(String),
        user_id: ann.id,
        name: 'Defaults',
        url: 'https://status.example.com/health',
        repo_link: 'https://github.com/acme/service',
        method: 'GET',
        request_header: {},
        request_body: null,
        is_active: false,
        check_interval: 60,
        timeout: 10,
        status: null,
        last_checked_at: null,
        expected_status_ranges: [{ min: 200, max: 399 }],
        keyword: null,
        keyword_mode: 'present',
        max_response_time_ms: null,
        follow_redirects: true,
        failure_threshold: 3,
        recovery_threshold: 2,
        github_token_id: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
    expect((await scheduled()).has(res.body.data.id)).toBe(false);
  });

  it('stores every extra setting that is given', async () => {
    const body = monitorBody({
      method: 'POST',
      request_header: { 'Content-Type': 'application/json', 'X-Probe': '1' },
      request_body: { ping: [1, 2, { deep: true }] },
      expected_status_ranges: [
        { min: 200, max: 204 },
        { min: 404, max: 404 },
      ],
      keyword: 'healthy',
      keyword_mode: 'absent',
      max_response_time_ms: 1500,
      follow_redirects: false,
      failure_threshold: 5,
      recovery_threshold: 1,
    });
    const { body: created } = await ann.post('/monitor/create').send(body).expect(201);
    const { body: fetched } = await ann.get(`/monitor/${created.data.id}`).expect(200);
    for (const key of Object.keys(body)) expect(fetched.data[key]).toEqual(body[key]);
  });

  it('stores request_body exactly as sent, and refuses prototype keys with 422 instead of dropping them', async () => {
    const body = { nested: { list: [1, 'two', null, { deep: true }], empty: {} }, text: 'é ✓' };
    const res = await ann.post('/monitor/create').send(monitorBody({ method: 'POST', request_body: body })).expect(201);
    expect(res.body.data.request_body).toEqual(body);

    const raw = JSON.stringify(monitorBody({ request_body: { ok: 1 } })).replace('{"ok":1}', '{"ok":1,"a":[{"__proto__":{"polluted":true}}]}');
    const refused = await ann.post('/monitor/create').set('Content-Type', 'application/json').send(raw).expect(422);
    expect(refused.body.errors).toEqual([{ path: ['request_body', 'a', 0, '__proto__'], message: expect.stringMatching(/not accepted/) }]);
    const ctor = await ann.post('/monitor/create').send(monitorBody({ request_header: { constructor: 'x' } })).expect(422);
    expect(ctor.body.errors[0].path).toEqual(['request_header', 'constructor']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('accepts the usual forms of a repository link', async () => {
    for (const repo_link of ['https://github.com/acme/app', 'https://github.com/acme/app.git', 'https://ghe.corp.example/acme/app/tree/main', 'git@github.com:acme/app.git']) {
      const res = await ann.post('/monitor/create').send(monitorBody({ repo_link }));
      expect({ repo_link, status: res.status }).toEqual({ repo_link, status: 201 });
    }
  });

  it('trims the name and refuses a blank one', async () => {
    const res = await ann.post('/monitor/create').send(monitorBody({ name: '  Padded  ' })).expect(201);
    expect(res.body.data.name).toBe('Padded');
    const blank = await ann.post('/monitor/create').send(monitorBody({ name: '   ' })).expect(422);
    expect(blank.body.errors).toEqual([{ path: ['name'], message: expect.stringMatching(/name/) }]);
  });

  it('reports one error per invalid field, starting with the basic one', async () => {
    const res = await ann.post('/monitor/create').send({ url: 'https://a.example.com', repo_link: 'https://github.com/a/b', timeout: 1 }).expect(422);
    expect(res.body.errors).toEqual([
      { path: ['name'], message: 'name must be a string' },
      { path: ['check_interval'], message: 'check_interval must be an integer number' },
    ]);
    const array = await ann.post('/monitor/create').send([monitorBody()]).expect(422);
    expect(array.body).toEqual({ success: false, errors: [{ path: [], message: 'the request body must be a JSON object' }] });
  });

  it('allows many monitors per account and lists them newest first with a capped limit', async () => {
    const bob = await api.registerUser();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await bob.post('/monitor/create').send(monitorBody({ name: `m${i}` })).expect(201)).body.data.id);
    const all = await bob.get('/monitor').expect(200);
    expect(all.body.success).toBe(true);
    expect(all.body.data.map((m: { id: string }) => m.id)).toEqual([...ids].reverse());
    const page = await bob.get('/monitor?limit=1&offset=1').expect(200);
    expect(page.body.data.map((m: { id: string }) => m.id)).toEqual([ids[1]]);
    const capped = await bob.get('/monitor?limit=100000').expect(200);
    expect(capped.body.data).toHaveLength(3);
  });

  it('schedules an active monitor on create and removes the schedule on pause and delete', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody({ is_active: true, check_interval: 30 })).expect(201);
    const id = body.data.id;
    expect((await scheduled()).get(id)).toBe(30_000);

    expect((await ann.post(`/monitor/pause/${id}`).expect(200)).body).toEqual({ success: true, message: 'Monitor paused' });
    expect((await scheduled()).has(id)).toBe(false);
    expect((await ann.get(`/monitor/${id}`).expect(200)).body.data.is_active).toBe(false);

    await ann.post(`/monitor/resume/${id}`).expect(200);
    expect((await scheduled()).get(id)).toBe(30_000);

    expect((await ann.delete(`/monitor/${id}`).expect(200)).body).toEqual({ success: true, message: 'Monitor deleted' });
    expect((await scheduled()).has(id)).toBe(false);
    await ann.get(`/monitor/${id}`).expect(404);
  });

  it('starts an inactive monitor, and starting an active one is a 200 no-op', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody()).expect(201);
    const id = body.data.id;
    expect((await ann.post(`/monitor/start/${id}`).expect(200)).body.success).toBe(true);
    expect((await scheduled()).get(id)).toBe(60_000);
    expect((await ann.post(`/monitor/start/${id}`).expect(200)).body.success).toBe(true);
    expect((await ann.get(`/monitor/${id}`).expect(200)).body.data.is_active).toBe(true);
  });

  it('applies a changed check_interval of an active monitor to its schedule at once', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody({ is_active: true, check_interval: 60 })).expect(201);
    const id = body.data.id;
    const patched = await ann.patch(`/monitor/${id}`).send({ check_interval: 15, name: 'Faster' }).expect(200);
    expect(patched.body.data).toMatchObject({ id, check_interval: 15, name: 'Faster', is_active: true });
    expect((await scheduled()).get(id)).toBe(15_000);
  });

  it('does not schedule a paused monitor when it is patched', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody()).expect(201);
    await ann.patch(`/monitor/${body.data.id}`).send({ check_interval: 20 }).expect(200);
    expect((await scheduled()).has(body.data.id)).toBe(false);
  });

  it('clears nullable settings with null and refuses null for required ones', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody({ keyword: 'ok', max_response_time_ms: 300 })).expect(201);
    const cleared = await ann.patch(`/monitor/${body.data.id}`).send({ keyword: null, max_response_time_ms: null }).expect(200);
    expect(cleared.body.data).toMatchObject({ keyword: null, max_response_time_ms: null });
    const refused = await ann.patch(`/monitor/${body.data.id}`).send({ name: null }).expect(422);
    expect(refused.body).toEqual({ success: false, errors: [{ path: ['name'], message: 'name cannot be null' }] });
  });

  it('refuses is_active and empty bodies on PATCH with 422', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody()).expect(201);
    const withActive = await ann.patch(`/monitor/${body.data.id}`).send({ is_active: true }).expect(422);
    expect(withActive.body.errors).toEqual([{ path: ['is_active'], message: 'property is_active should not exist' }]);
    const empty = await ann.patch(`/monitor/${body.data.id}`).send({}).expect(422);
    expect(empty.body).toEqual({ success: false, errors: [{ path: [], message: 'at least one field to change is required' }] });
  });

  it('returns check history newest first with limit and offset', async () => {
    const { body } = await ann.post('/monitor/create').send(monitorBody()).expect(201);
    const id = body.data.id;
    for (let i = 0; i < 5; i++) {
      await api.query(
        `INSERT INTO monitor_checks (monitor_id, status, response_time_ms, status_code, error_message, checked_at)
         VALUES ($1, $2, $3, $4, $5, now() - make_interval(mins => $6))`,
        [id, i === 0 ? 'DOWN' : 'UP', 100 + i, i === 0 ? 503 : 200, i === 0 ? 'HTTP 503' : null, i],
      );
    }
    const all = await ann.get(`/monitor/${id}/history`).expect(200);
    expect(all.body.success).toBe(true);
    expect(all.body.data).toHaveLength(5);
    expect(all.body.data[0]).toEqual({
      id: expect.any(String),
      monitor_id: id,
      status: 'DOWN',
      response_time_ms: 100,
      status_code: 503,
      error_message: 'HTTP 503',
      checked_at: expect.any(String),
    });
    const times = all.body.data.map((c: { checked_at: string }) => Date.parse(c.checked_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const page = await ann.get(`/monitor/${id}/history?limit=2&offset=1`).expect(200);
    expect(page.body.data.map((c: { response_time_ms: number }) => c.response_time_ms)).toEqual([101, 102]);
  });

  it('answers 404 {error:"Monitor not found"} for unknown and malformed ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '1', "1' OR '1'='1"]) {
      const res = await ann.get(`/monitor/${encodeURIComponent(id)}`).expect(404);
      expect(res.body).toEqual({ error: 'Monitor not found' });
    }
  });

  it('requires a bearer token (401 {error}) on every monitor route', async () => {
    const res = await api.request().get('/monitor').expect(401);
    expect(res.body).toEqual({ error: expect.any(String) });
    await api.as('not.a.jwt').post('/monitor/create').send(monitorBody()).expect(401);
  });
});
