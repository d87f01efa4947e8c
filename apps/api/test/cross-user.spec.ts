import { MonitorScheduler } from '@epitrace/monitor-scheduling';
import { fakeGithubToken, monitorBody, slackWebhookUrl } from './support/fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

/** Every route that names a resource, with the ids of another user's resources filled in. */
function routesFor(ids: { monitor: string; webhook: string; token: string }, own: { monitor: string; webhook: string; token: string }) {
  const { monitor, webhook, token } = ids;
  return [
    ['get', `/monitor/${monitor}`, undefined],
    ['patch', `/monitor/${monitor}`, { name: 'hijacked' }],
    ['delete', `/monitor/${monitor}`, undefined],
    ['post', `/monitor/start/${monitor}`, undefined],
    ['post', `/monitor/resume/${monitor}`, undefined],
    ['post', `/monitor/pause/${monitor}`, undefined],
    ['get', `/monitor/${monitor}/history`, undefined],
    ['get', `/webhook/${webhook}`, undefined],
    ['patch', `/webhook/${webhook}`, { is_active: false }],
    ['delete', `/webhook/${webhook}`, undefined],
    ['get', `/webhook/monitor/${monitor}`, undefined],
    ['post', `/webhook/monitor/${monitor}/add/${webhook}`, undefined],
    ['post', `/webhook/monitor/${own.monitor}/add/${webhook}`, undefined],
    ['post', `/webhook/monitor/${monitor}/add/${own.webhook}`, undefined],
    ['delete', `/webhook/monitor/${monitor}/remove/${webhook}`, undefined],
    ['delete', `/webhook/monitor/${own.monitor}/remove/${webhook}`, undefined],
    ['get', `/github-token/${token}`, undefined],
    ['patch', `/github-token/${token}`, { is_active: false }],
    ['delete', `/github-token/${token}`, undefined],
    ['get', `/github-token/monitor/${monitor}`, undefined],
    ['post', `/github-token/monitor/${monitor}/add/${token}`, undefined],
    ['post', `/github-token/monitor/${own.monitor}/add/${token}`, undefined],
    ['post', `/github-token/monitor/${monitor}/add/${own.token}`, undefined],
    ['delete', `/github-token/monitor/${monitor}/remove/${token}`, undefined],
    ['delete', `/github-token/monitor/${own.monitor}/remove/${token}`, undefined],
  ] as const;
}

describe('isolation between users', () => {
  let api: TestApi;
  let ann: TestUser;
  let bob: TestUser;
  let anns: { monitor: string; webhook: string; token: string };
  let bobs: { monitor: string; webhook: string; token: string };

  async function createResources(user: TestUser) {
    const monitor = (await user.post('/monitor/create').send(monitorBody({ is_active: true })).expect(201)).body.data.id;
    const webhook = (await user.post('/webhook').send({ provider: 'slack', webhook_url: slackWebhookUrl() }).expect(201)).body.data.id;
    const token = (await user.post('/github-token').send({ access_token: fakeGithubToken() }).expect(201)).body.data.id;
    return { monitor, webhook, token };
  }

  beforeAll(async () => {
    api = await startTestApi({ label: 'crossuser' });
    ann = await api.registerUser();
    bob = await api.registerUser();
    anns = await createResources(ann);
    bobs = await createResources(bob);
    await ann.post(`/webhook/monitor/${anns.monitor}/add/${anns.webhook}`).expect(201);
    await ann.post(`/github-token/monitor/${anns.monitor}/add/${anns.token}`).expect(201);
  });
  afterAll(() => api?.stop());

  it("answers 404 {error} on every route that names another user's resource", async () => {
    const outcomes = [];
    for (const [method, path, body] of routesFor(anns, bobs)) {
      const req = bob[method](path);
      const res = body ? await req.send(body) : await req;
      outcomes.push({ route: `${method.toUpperCase()} ${path}`, status: res.status, hasError: typeof res.body.error === 'string' });
    }
    expect(outcomes.filter((o) => o.status !== 404 || !o.hasError)).toEqual([]);
  });

  it("leaves the other user's resources, links and schedule untouched", async () => {
    const monitor = (await ann.get(`/monitor/${anns.monitor}`).expect(200)).body.data;
    expect(monitor).toMatchObject({ is_active: true, github_token_id: anns.token });
    expect(monitor.name).not.toBe('hijacked');
    expect((await ann.get(`/webhook/${anns.webhook}`).expect(200)).body.data.is_active).toBe(true);
    expect((await ann.get(`/github-token/${anns.token}`).expect(200)).body.data.is_active).toBe(true);
    expect((await ann.get(`/webhook/monitor/${anns.monitor}`).expect(200)).body.data).toHaveLength(1);
    expect((await api.app.get(MonitorScheduler).scheduledMonitorIds()).has(anns.monitor)).toBe(true);
  });

  it("never lists another user's rows", async () => {
    const lists = await Promise.all([bob.get('/monitor'), bob.get('/webhook'), bob.get('/github-token')]);
    for (const res of lists) {
      expect(res.status).toBe(200);
      const ids = res.body.data.map((r: { id: string; user_id: string }) => r.user_id);
      expect(new Set(ids)).toEqual(new Set([bob.id]));
    }
  });

  it('rejects a token signed with another secret and a token of a deleted account with 401', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: ann.id, email: ann.email })).toString('base64url');
    await api.as(`${header}.${payload}.c2lnbmF0dXJl`).get('/monitor').expect(401);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await api.as(`${none}.${payload}.`).get('/monitor').expect(401);

    const gone = await api.registerUser();
    await api.query('DELETE FROM users WHERE id = $1', [gone.id]);
    expect((await gone.get('/monitor').expect(401)).body).toEqual({ error: expect.any(String) });
  });
});
