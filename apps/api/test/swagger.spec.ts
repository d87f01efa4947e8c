import { startTestApi, TestApi } from './support/test-api';

describe('Swagger documentation', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ label: 'swagger' });
  });
  afterAll(() => api?.stop());

  it('documents every contract route, with bearer auth on the protected ones', async () => {
    const spec = (await api.request().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    const expected: [string, string, boolean][] = [
      ['post', '/auth/register', false],
      ['post', '/auth/login', false],
      ['post', '/monitor/create', true],
      ['get', '/monitor', true],
      ['get', '/monitor/{id}', true],
      ['patch', '/monitor/{id}', true],
      ['delete', '/monitor/{id}', true],
      ['post', '/monitor/start/{id}', true],
      ['post', '/monitor/resume/{id}', true],
      ['post', '/monitor/pause/{id}', true],
      ['get', '/monitor/{id}/history', true],
      ['post', '/webhook', true],
      ['get', '/webhook', true],
      ['get', '/webhook/{id}', true],
      ['patch', '/webhook/{id}', true],
      ['delete', '/webhook/{id}', true],
      ['post', '/webhook/monitor/{monitorId}/add/{webhookId}', true],
      ['delete', '/webhook/monitor/{monitorId}/remove/{webhookId}', true],
      ['get', '/webhook/monitor/{monitorId}', true],
      ['post', '/github-token', true],
      ['get', '/github-token', true],
      ['get', '/github-token/{id}', true],
      ['patch', '/github-token/{id}', true],
      ['delete', '/github-token/{id}', true],
      ['post', '/github-token/monitor/{monitorId}/add/{tokenId}', true],
      ['delete', '/github-token/monitor/{monitorId}/remove/{tokenId}', true],
      ['get', '/github-token/monitor/{monitorId}', true],
    ];
    const problems: string[] = [];
    for (const [method, path, secured] of expected) {
      const op = spec.paths[path]?.[method];
      if (!op) problems.push(`${method} ${path} missing`);
      else if (secured && !JSON.stringify(op.security ?? []).includes('bearer')) problems.push(`${method} ${path} lacks bearer auth`);
      else if (secured && !op.responses['401']) problems.push(`${method} ${path} lacks a 401 response`);
    }
    expect(problems).toEqual([]);
    expect(spec.paths['/dev/reset-db']).toBeUndefined();
  });

  it('serves the UI at /docs and /api-docs', async () => {
    await api.request().get('/docs/').expect(200).expect('Content-Type', /html/);
    await api.request().get('/api-docs/').expect(200).expect('Content-Type', /html/);
  });
});
