import { randomBytes } from 'node:crypto';
import { fakeGithubToken, monitorBody, slackWebhookUrl } from './support/fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

describe('webhook routes', () => {
  let api: TestApi;
  let ann: TestUser;
  beforeAll(async () => {
    api = await startTestApi({ label: 'webhooks' });
    ann = await api.registerUser();
  });
  afterAll(() => api?.stop());

  it('stores the URL encrypted, returns it masked, and refuses the same URL twice for a provider with 409', async () => {
    const url = slackWebhookUrl();
    const created = await ann.post('/webhook').send({ provider: 'slack', webhook_url: url }).expect(201);
    expect(created.body).toEqual({
      success: true,
      data: {
        id: expect.any(String),
        user_id: ann.id,
        provider: 'slack',
        webhook_url: `https://hooks.slack.com/…${url.slice(-4)}`,
        is_active: true,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
    const [row] = await api.query('SELECT row_to_json(w)::text AS json FROM webhooks w WHERE id = $1', [created.body.data.id]);
    expect(row['json']).not.toContain(url);
    expect(row['json']).not.toContain(url.split('/').pop());

    const dup = await ann.post('/webhook').send({ provider: 'slack', webhook_url: url }).expect(409);
    expect(dup.body).toEqual({ error: expect.stringMatching(/already exists/) });
    await ann.post('/webhook').send({ provider: 'discord', webhook_url: url }).expect(201);
  });

  it('lists only active webhooks, while GET by id still shows an inactive one', async () => {
    const { body } = await ann.post('/webhook').send({ provider: 'discord', webhook_url: `https://discord.com/api/webhooks/1/${randomBytes(8).toString('hex')}` }).expect(201);
    const patched = await ann.patch(`/webhook/${body.data.id}`).send({ is_active: false }).expect(200);
    expect(patched.body.data.is_active).toBe(false);
    const list = await ann.get('/webhook').expect(200);
    expect(list.body.data.map((w: { id: string }) => w.id)).not.toContain(body.data.id);
    expect((await ann.get(`/webhook/${body.data.id}`).expect(200)).body.data.is_active).toBe(false);
  });

  it('updates the URL and the provider, re-checking the URL rules', async () => {
    const { body } = await ann.post('/webhook').send({ provider: 'slack', webhook_url: slackWebhookUrl() }).expect(201);
    const newUrl = slackWebhookUrl();
    const res = await ann.patch(`/webhook/${body.data.id}`).send({ webhook_url: newUrl }).expect(200);
    expect(res.body.data.webhook_url).toBe(`https://hooks.slack.com/…${newUrl.slice(-4)}`);
    await ann.patch(`/webhook/${body.data.id}`).send({}).expect(422);
  });

  it('links a webhook to a monitor once (409 the second time), lists and removes the link', async () => {
    const monitor = (await ann.post('/monitor/create').send(monitorBody()).expect(201)).body.data;
    const webhook = (await ann.post('/webhook').send({ provider: 'slack', webhook_url: slackWebhookUrl() }).expect(201)).body.data;
    const linked = await ann.post(`/webhook/monitor/${monitor.id}/add/${webhook.id}`).expect(201);
    expect(linked.body).toEqual({ success: true, data: { id: expect.any(String), monitor_id: monitor.id, webhook_id: webhook.id, created_at: expect.any(String) } });
    await ann.post(`/webhook/monitor/${monitor.id}/add/${webhook.id}`).expect(409);
    const list = await ann.get(`/webhook/monitor/${monitor.id}`).expect(200);
    expect(list.body.data.map((w: { id: string }) => w.id)).toEqual([webhook.id]);
    await ann.delete(`/webhook/monitor/${monitor.id}/remove/${webhook.id}`).expect(200);
    await ann.delete(`/webhook/monitor/${monitor.id}/remove/${webhook.id}`).expect(404);
    expect((await ann.get(`/webhook/monitor/${monitor.id}`).expect(200)).body.data).toEqual([]);
  });

  it('asks for the URL again (409) when the stored one was sealed under another ENCRYPTION_KEY', async () => {
    const { body } = await ann.post('/webhook').send({ provider: 'slack', webhook_url: slackWebhookUrl() }).expect(201);
    await api.query(`UPDATE webhooks SET url_ciphertext = 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA' WHERE id = $1`, [body.data.id]);
    const refused = await ann.patch(`/webhook/${body.data.id}`).send({ is_active: false }).expect(409);
    expect(refused.body).toEqual({ error: expect.stringMatching(/send webhook_url again/) });
    await ann.patch(`/webhook/${body.data.id}`).send({ webhook_url: slackWebhookUrl(), is_active: false }).expect(200);
  });

  it('deletes a webhook', async () => {
    const { body } = await ann.post('/webhook').send({ provider: 'slack', webhook_url: slackWebhookUrl() }).expect(201);
    expect((await ann.delete(`/webhook/${body.data.id}`).expect(200)).body).toEqual({ success: true, message: 'Webhook deleted' });
    expect((await ann.get(`/webhook/${body.data.id}`).expect(404)).body).toEqual({ error: 'Webhook not found' });
  });
});

describe('webhook URL rules without WEBHOOK_ALLOW_ANY_HOST', () => {
  let api: TestApi;
  let ann: TestUser;
  beforeAll(async () => {
    api = await startTestApi({ label: 'webhookhosts', env: { WEBHOOK_ALLOW_ANY_HOST: 'false' } });
    ann = await api.registerUser();
  });
  afterAll(() => api?.stop());

  it('accepts only Slack and Discord webhook endpoints over https (422 otherwise)', async () => {
    await ann.post('/webhook').send({ provider: 'slack', webhook_url: slackWebhookUrl() }).expect(201);
    await ann.post('/webhook').send({ provider: 'discord', webhook_url: 'https://discord.com/api/webhooks/123/abcDEF' }).expect(201);
    for (const [provider, url] of [
      ['slack', 'http://127.0.0.1:9999/hook'],
      ['slack', 'http://hooks.slack.com/services/a/b/c'],
      ['discord', 'https://hooks.slack.com/services/a/b/c'],
      ['discord', 'https://169.254.169.254/api/webhooks/1/x'],
    ]) {
      const res = await ann.post('/webhook').send({ provider, webhook_url: url }).expect(422);
      expect(res.body).toEqual({ success: false, errors: [{ path: ['webhook_url'], message: expect.any(String) }] });
    }
  });

  it('re-checks the URL when only the provider changes', async () => {
    const { body } = await ann.post('/webhook').send({ provider: 'slack', webhook_url: slackWebhookUrl() }).expect(201);
    await ann.patch(`/webhook/${body.data.id}`).send({ provider: 'discord' }).expect(422);
  });
});

describe('GitHub token routes', () => {
  let api: TestApi;
  let ann: TestUser;
  beforeAll(async () => {
    api = await startTestApi({ label: 'ghtokens' });
    ann = await api.registerUser();
  });
  afterAll(() => api?.stop());

  it('stores a token encrypted and only ever returns its last four characters', async () => {
    const token = fakeGithubToken();
    const created = await ann.post('/github-token').send({ access_token: token }).expect(201);
    expect(created.body).toEqual({
      success: true,
      data: { id: expect.any(String), user_id: ann.id, is_active: true, token_last4: token.slice(-4), created_at: expect.any(String), updated_at: expect.any(String) },
    });
    const [row] = await api.query<{ json: string; token_ciphertext: string }>('SELECT row_to_json(t)::text AS json, token_ciphertext FROM github_tokens t WHERE id = $1', [
      created.body.data.id,
    ]);
    expect(row.json).not.toContain(token);
    expect(row.token_ciphertext).toMatch(/^v1\./);
  });

  it('lists, gets, replaces, deactivates and deletes tokens', async () => {
    const first = (await ann.post('/github-token').send({ access_token: fakeGithubToken() }).expect(201)).body.data;
    const list = await ann.get('/github-token').expect(200);
    expect(list.body.data[0].id).toBe(first.id);
    const replacement = fakeGithubToken();
    const replaced = await ann.patch(`/github-token/${first.id}`).send({ access_token: replacement, is_active: false }).expect(200);
    expect(replaced.body.data).toMatchObject({ id: first.id, token_last4: replacement.slice(-4), is_active: false });
    expect((await ann.get(`/github-token/${first.id}`).expect(200)).body.data.token_last4).toBe(replacement.slice(-4));
    await ann.patch(`/github-token/${first.id}`).send({}).expect(422);
    await ann.delete(`/github-token/${first.id}`).expect(200);
    expect((await ann.get(`/github-token/${first.id}`).expect(404)).body).toEqual({ error: 'GitHub token not found' });
  });

  it('links tokens to a monitor; the monitor row shows the most recently linked one', async () => {
    const monitor = (await ann.post('/monitor/create').send(monitorBody()).expect(201)).body.data;
    const a = (await ann.post('/github-token').send({ access_token: fakeGithubToken() }).expect(201)).body.data;
    const b = (await ann.post('/github-token').send({ access_token: fakeGithubToken() }).expect(201)).body.data;
    const linked = await ann.post(`/github-token/monitor/${monitor.id}/add/${a.id}`).expect(201);
    expect(linked.body).toEqual({ success: true, data: { id: expect.any(String), monitor_id: monitor.id, github_token_id: a.id, created_at: expect.any(String) } });
    expect((await ann.get(`/monitor/${monitor.id}`).expect(200)).body.data.github_token_id).toBe(a.id);
    await ann.post(`/github-token/monitor/${monitor.id}/add/${b.id}`).expect(201);
    await ann.post(`/github-token/monitor/${monitor.id}/add/${b.id}`).expect(409);
    expect((await ann.get(`/monitor/${monitor.id}`).expect(200)).body.data.github_token_id).toBe(b.id);
    expect((await ann.get('/monitor').expect(200)).body.data.find((m: { id: string }) => m.id === monitor.id).github_token_id).toBe(b.id);
    const forMonitor = await ann.get(`/github-token/monitor/${monitor.id}`).expect(200);
    expect(forMonitor.body.data.map((t: { id: string }) => t.id)).toEqual([b.id, a.id]);
    await ann.delete(`/github-token/monitor/${monitor.id}/remove/${b.id}`).expect(200);
    expect((await ann.get(`/monitor/${monitor.id}`).expect(200)).body.data.github_token_id).toBe(a.id);
  });
});
