import { startTestApi, TestApi } from './support/test-api';

describe('the dashboard served at /dashboard', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ label: 'dashboard' });
  });

  afterAll(() => api?.stop());

  it('serves the page with a same-origin-only content security policy', async () => {
    const res = await api.request().get('/dashboard').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(res.text).toContain('<title>EpiTrace dashboard</title>');
    expect(res.text).toContain('src="/dashboard/app.js"');
  });

  it('serves its script, stylesheet and icon with the right types, and nothing else', async () => {
    expect((await api.request().get('/dashboard/app.js').expect(200)).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await api.request().get('/dashboard/app.css').expect(200)).headers['content-type']).toMatch(/^text\/css/);
    expect((await api.request().get('/dashboard/favicon.svg').expect(200)).headers['content-type']).toMatch(/^image\/svg\+xml/);
    await api.request().get('/dashboard/..%2Fmain.ts').expect(404);
    await api.request().get('/dashboard/secrets.json').expect(404);
  });

  it('loads nothing from other hosts (no CDN, no external fonts or scripts)', async () => {
    for (const path of ['/dashboard', '/dashboard/app.js', '/dashboard/app.css', '/dashboard/fix-status.js']) {
      const { text } = await api.request().get(path).expect(200);
      const external = text.match(/(src|href)=["']https?:\/\/[^"']+|url\(\s*["']?https?:|import\s*\(\s*["']https?:/g);
      expect({ path, external }).toEqual({ path, external: null });
    }
  });

  it('uses only API routes that exist in the contract or in this API', async () => {
    const { text } = await api.request().get('/dashboard/app.js').expect(200);
    for (const route of ['/auth/login', '/monitor?limit=200', '/logs/code-worker/stream-token', '/logs/code-worker/stream?', '/fix-jobs']) {
      expect(text).toContain(route);
    }
  });
});
