import { fakeGithubToken, monitorBody, NIL_UUID, slackWebhookUrl } from './support/fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

type Method = 'get' | 'post' | 'patch' | 'delete';

/** The contract's failure envelopes: 422 `{success:false, errors:[{path,message}]}`, anything else `{error}`. */
function expectContractFailure(res: { status: number; body: unknown }, label: string) {
  const where = `${label} → ${res.status} ${JSON.stringify(res.body)}`;
  expect({ where, clientError: res.status >= 400 && res.status < 500 }).toEqual({ where, clientError: true });
  if (res.status === 422) {
    expect(res.body).toEqual({ success: false, errors: expect.any(Array) });
    for (const e of (res.body as { errors: unknown[] }).errors) expect(e).toEqual({ path: expect.any(Array), message: expect.any(String) });
  } else {
    expect({ where, body: res.body }).toEqual({ where, body: expect.objectContaining({ error: expect.any(String) }) });
  }
}

describe('bad input on every route', () => {
  let api: TestApi;
  let ann: TestUser;
  let monitor: string;
  let webhook: string;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi({ label: 'badinput', env: { BODY_LIMIT: '16kb' } });
    ann = await api.registerUser();
    monitor = (await ann.post('/monitor/create').send(monitorBody()).expect(201)).body.data.id;
    webhook = (await ann.post('/webhook').send({ provider: 'slack', webhook_url: slackWebhookUrl() }).expect(201)).body.data.id;
    token = (await ann.post('/github-token').send({ access_token: fakeGithubToken() }).expect(201)).body.data.id;
  });
  afterAll(() => api?.stop());

  async function send(method: Method, path: string, body?: unknown, raw?: string) {
    const req = ann[method](path);
    if (raw !== undefined) return req.set('Content-Type', 'application/json').send(raw);
    return body === undefined ? req : req.send(body as object);
  }

  it('refuses wrong types, missing fields and out-of-range values on POST /monitor/create with 422 and field paths', async () => {
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ ...monitorBody(), name: undefined }, ['name']],
      [{ ...monitorBody(), url: 'ftp://example.com' }, ['url']],
      [{ ...monitorBody(), url: 'not a url' }, ['url']],
      [{ ...monitorBody(), repo_link: 42 }, ['repo_link']],
      [{ ...monitorBody(), repo_link: 'https://github.com/acme' }, ['repo_link']],
      [{ ...monitorBody(), repo_link: 'https://user:ghp_secret@github.com/acme/app' }, ['repo_link']],
      [{ ...monitorBody(), repo_link: 'ftp://github.com/acme/app' }, ['repo_link']],
      [{ ...monitorBody(), method: 'TRACE' }, ['method']],
      [{ ...monitorBody(), check_interval: '60' }, ['check_interval']],
      [{ ...monitorBody(), check_interval: 5 }, ['check_interval']],
      [{ ...monitorBody(), check_interval: 10.5 }, ['check_interval']],
      [{ ...monitorBody(), timeout: 0 }, ['timeout']],
      [{ ...monitorBody(), is_active: 'yes' }, ['is_active']],
      [{ ...monitorBody(), request_header: ['a'] }, ['request_header']],
      [{ ...monitorBody(), request_header: { 'Bad Header': 'x' } }, ['request_header']],
      [{ ...monitorBody(), request_header: { 'X-A': 1 } }, ['request_header']],
      [{ ...monitorBody(), request_header: { 'X-A': 'a\r\nInjected: 1' } }, ['request_header']],
      [{ ...monitorBody(), expected_status_ranges: [] }, ['expected_status_ranges']],
      [{ ...monitorBody(), expected_status_ranges: [{ min: 300, max: 200 }] }, ['expected_status_ranges', 0, 'max']],
      [{ ...monitorBody(), expected_status_ranges: [{ min: 99, max: 200 }] }, ['expected_status_ranges', 0, 'min']],
      [{ ...monitorBody(), expected_status_ranges: 'all' }, ['expected_status_ranges']],
      [{ ...monitorBody(), keyword_mode: 'maybe' }, ['keyword_mode']],
      [{ ...monitorBody(), keyword: '' }, ['keyword']],
      [{ ...monitorBody(), max_response_time_ms: -1 }, ['max_response_time_ms']],
      [{ ...monitorBody(), failure_threshold: 0 }, ['failure_threshold']],
      [{ ...monitorBody(), recovery_threshold: 1000 }, ['recovery_threshold']],
      [{ ...monitorBody(), follow_redirects: 'no' }, ['follow_redirects']],
      [{ ...monitorBody(), owner: 'someone-else' }, ['owner']],
      [{ ...monitorBody(), user_id: NIL_UUID }, ['user_id']],
    ];
    for (const [body, path] of cases) {
      const res = await ann.post('/monitor/create').send(body);
      expectContractFailure(res, JSON.stringify(body));
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
      expect(res.body.errors.map((e: { path: unknown }) => e.path)).toContainEqual(path);
    }
  });

  it('answers malformed UUIDs in any path position with 404 naming the missing thing', async () => {
    const cases: [Method, string, string][] = [
      ['get', '/monitor/abc', 'Monitor not found'],
      ['patch', '/monitor/123', 'Monitor not found'],
      ['delete', `/monitor/${NIL_UUID}x`, 'Monitor not found'],
      ['post', '/monitor/start/%20', 'Monitor not found'],
      ['post', '/monitor/pause/null', 'Monitor not found'],
      ['get', '/monitor/undefined/history', 'Monitor not found'],
      ['get', '/webhook/zzz', 'Webhook not found'],
      ['post', `/webhook/monitor/${monitor}/add/nope`, 'Webhook not found'],
      ['post', `/webhook/monitor/nope/add/${webhook}`, 'Monitor not found'],
      ['delete', `/github-token/monitor/${monitor}/remove/1`, 'GitHub token not found'],
      ['get', '/github-token/..%2F..%2Fetc', 'GitHub token not found'],
      ['get', `/monitor/${NIL_UUID}`, 'Monitor not found'],
      ['get', `/github-token/${NIL_UUID}`, 'GitHub token not found'],
    ];
    for (const [method, path, error] of cases) {
      const res = await send(method, path, method === 'patch' ? { name: 'x' } : undefined);
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 404, body: { error } });
    }
  });

  it('answers bad JSON with 400, huge bodies with 413 and unknown fields with 422 on every body route', async () => {
    const bodyRoutes: [Method, string][] = [
      ['post', '/monitor/create'],
      ['patch', `/monitor/${monitor}`],
      ['post', '/webhook'],
      ['patch', `/webhook/${webhook}`],
      ['post', '/github-token'],
      ['patch', `/github-token/${token}`],
    ];
    for (const [method, path] of bodyRoutes) {
      const bad = await send(method, path, undefined, '{"name": ');
      expectContractFailure(bad, `${method} ${path} bad JSON`);
      expect(bad.status).toBe(400);
      const huge = await send(method, path, { name: 'x'.repeat(20_000) });
      expectContractFailure(huge, `${method} ${path} huge`);
      expect(huge.status).toBe(413);
      const unknown = await send(method, path, { surprise: true });
      expectContractFailure(unknown, `${method} ${path} unknown field`);
      expect(unknown.status).toBe(422);
      const array = await send(method, path, [1, 2, 3]);
      expectContractFailure(array, `${method} ${path} array body`);
      const scalar = await send(method, path, undefined, '"just a string"');
      expectContractFailure(scalar, `${method} ${path} scalar body`);
    }
  });

  it('refuses wrong types on webhook and GitHub token bodies with 422', async () => {
    const cases: [Method, string, unknown][] = [
      ['post', '/webhook', { provider: 'teams', webhook_url: slackWebhookUrl() }],
      ['post', '/webhook', { provider: 'slack' }],
      ['post', '/webhook', { provider: 'slack', webhook_url: 12 }],
      ['post', '/webhook', { provider: 'slack', webhook_url: 'javascript:alert(1)' }],
      ['patch', `/webhook/${webhook}`, { is_active: 'false' }],
      ['patch', `/webhook/${webhook}`, { webhook_url: null }],
      ['post', '/github-token', {}],
      ['post', '/github-token', { access_token: 'short' }],
      ['post', '/github-token', { access_token: 'has spaces in it' }],
      ['post', '/github-token', { access_token: ['ghp_x'] }],
      ['patch', `/github-token/${token}`, { is_active: 1 }],
      ['patch', `/github-token/${token}`, { access_token: null }],
    ];
    for (const [method, path, body] of cases) {
      const res = await send(method, path, body);
      expectContractFailure(res, `${method} ${path} ${JSON.stringify(body)}`);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 422 });
    }
  });

  it('refuses bad pagination with 422 and lowers a huge limit to 200', async () => {
    for (const query of ['limit=abc', 'limit=0', 'limit=-5', 'offset=-1', 'offset=1e30', 'limit=1.5']) {
      for (const path of ['/monitor', `/monitor/${monitor}/history`, '/webhook', '/github-token']) {
        const res = await ann.get(`${path}?${query}`);
        expectContractFailure(res, `${path}?${query}`);
        expect({ path, query, status: res.status }).toEqual({ path, query, status: 422 });
      }
    }
    await ann.get('/monitor?limit=999999').expect(200);
    const unknown = await ann.get('/monitor?sort=evil');
    expect(unknown.status).toBe(422);
  });

  it('never answers 500 to a malformed Authorization header', async () => {
    for (const header of ['Bearer', 'Bearer ', 'Basic abc', 'Bearer a.b.c', `Bearer ${'x'.repeat(5000)}`, 'Bearer eyJhbGciOiJub25lIn0.e30.', 'Token abc']) {
      const res = await api.request().get('/monitor').set('Authorization', header);
      expect({ header: header.slice(0, 20), status: res.status }).toEqual({ header: header.slice(0, 20), status: 401 });
    }
  });
});
