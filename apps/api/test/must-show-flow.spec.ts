import { fakeGithubToken, monitorBody, slackWebhookUrl } from './support/fixtures';
import { startTestApi, TestApi } from './support/test-api';

/**
 * The "must show": register → login → two monitors, a webhook and a GitHub token, link,
 * list, patch, delete — every response in the contract's shape, and the token (and webhook URL)
 * never in any response, log line or database column in clear text.
 */
describe('the register-to-delete flow', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ label: 'flow', env: { LOG_LEVEL: 'trace' } });
  });
  afterAll(() => api?.stop());

  it('works end to end with contract-shaped responses and no secret leaking anywhere', async () => {
    const token = fakeGithubToken();
    const webhookUrl = slackWebhookUrl();
    const password = 'flow password 123';
    const responses: unknown[] = [];
    const keep = <T extends { body: unknown }>(res: T) => {
      responses.push(res.body);
      return res;
    };

    const registered = keep(
      await api.request().post('/auth/register').send({ email: 'Flow@Example.com', password, rePassword: password }).expect(201),
    );
    expect(registered.body.user).toEqual({ id: expect.any(String), email: 'flow@example.com', joinedAt: expect.any(String) });
    const login = keep(await api.request().post('/auth/login').send({ email: 'flow@example.com', password }).expect(200));
    expect(login.body).toMatchObject({ message: 'Login successful', user: { id: registered.body.user.id, last_updated: expect.any(String) } });
    const me = api.as(login.body.token);

    const first = keep(await me.post('/monitor/create').send(monitorBody({ name: 'First', is_active: true })).expect(201)).body.data;
    const second = keep(await me.post('/monitor/create').send(monitorBody({ name: 'Second' })).expect(201)).body.data;
    const webhook = keep(await me.post('/webhook').send({ provider: 'slack', webhook_url: webhookUrl }).expect(201)).body.data;
    const ghToken = keep(await me.post('/github-token').send({ access_token: token }).expect(201)).body.data;
    expect(ghToken.token_last4).toBe(token.slice(-4));

    keep(await me.post(`/webhook/monitor/${first.id}/add/${webhook.id}`).expect(201));
    keep(await me.post(`/github-token/monitor/${first.id}/add/${ghToken.id}`).expect(201));

    const monitors = keep(await me.get('/monitor').expect(200)).body;
    expect(monitors.success).toBe(true);
    expect(monitors.data.map((m: { name: string }) => m.name)).toEqual(['Second', 'First']);
    expect(monitors.data[1].github_token_id).toBe(ghToken.id);
    expect(keep(await me.get(`/webhook/monitor/${first.id}`).expect(200)).body.data.map((w: { id: string }) => w.id)).toEqual([webhook.id]);
    expect(keep(await me.get(`/github-token/monitor/${first.id}`).expect(200)).body.data.map((t: { id: string }) => t.id)).toEqual([ghToken.id]);
    keep(await me.get('/webhook').expect(200));
    keep(await me.get('/github-token').expect(200));
    keep(await me.get(`/github-token/${ghToken.id}`).expect(200));
    keep(await me.get(`/webhook/${webhook.id}`).expect(200));

    const patched = keep(await me.patch(`/monitor/${first.id}`).send({ name: 'First (renamed)', check_interval: 20 }).expect(200)).body;
    expect(patched).toEqual({ success: true, data: expect.objectContaining({ id: first.id, name: 'First (renamed)', check_interval: 20 }) });

    expect(keep(await me.delete(`/monitor/${second.id}`).expect(200)).body).toEqual({ success: true, message: 'Monitor deleted' });
    keep(await me.delete(`/webhook/monitor/${first.id}/remove/${webhook.id}`).expect(200));
    keep(await me.delete(`/github-token/monitor/${first.id}/remove/${ghToken.id}`).expect(200));
    keep(await me.delete(`/webhook/${webhook.id}`).expect(200));
    keep(await me.delete(`/github-token/${ghToken.id}`).expect(200));
    keep(await me.delete(`/monitor/${first.id}`).expect(200));
    expect((await me.get('/monitor').expect(200)).body).toEqual({ success: true, data: [] });

    const everything = JSON.stringify(responses);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(webhookUrl);
    expect(everything).not.toContain(password);

    const logs = api.logs().join('\n');
    expect(api.logs().length).toBeGreaterThan(10);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(webhookUrl);
    expect(logs).not.toContain(password);
  });

  it('keeps GitHub tokens and webhook URLs out of every database column', async () => {
    const token = fakeGithubToken();
    const webhookUrl = slackWebhookUrl();
    const me = await api.registerUser();
    await me.post('/github-token').send({ access_token: token }).expect(201);
    await me.post('/webhook').send({ provider: 'slack', webhook_url: webhookUrl }).expect(201);
    const tokens = await api.query<{ json: string }>('SELECT row_to_json(t)::text AS json FROM github_tokens t');
    const hooks = await api.query<{ json: string }>('SELECT row_to_json(w)::text AS json FROM webhooks w');
    expect(tokens.length).toBeGreaterThan(0);
    expect(hooks.length).toBeGreaterThan(0);
    for (const { json } of [...tokens, ...hooks]) {
      expect(json).not.toContain(token);
      expect(json).not.toContain(token.slice(4, 20));
      expect(json).not.toContain(webhookUrl);
    }
  });
});
