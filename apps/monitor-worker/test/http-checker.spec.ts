import { HttpChecker } from '../src/checks/http-checker';
import type { CheckTarget } from '../src/checks/check-target';
import { loadMonitorWorkerConfig } from '../src/config/monitor-worker.config';
import { Target, checkTarget, respondWith, startTarget } from './support/worker-harness';

describe('HttpChecker against a real local HTTP server', () => {
  const checker = new HttpChecker(loadMonitorWorkerConfig({ NODE_ENV: 'test' }));
  let target: Target;
  const monitor = (over: Partial<CheckTarget> = {}): CheckTarget => checkTarget(target.url, over);

  beforeAll(async () => (target = await startTarget()));
  afterAll(async () => {
    await checker.onModuleDestroy();
    await target.close();
  });

  it('reports UP with the status code and response time of a healthy endpoint', async () => {
    target.handler = respondWith(204, '');
    const outcome = await checker.check(monitor());
    expect(outcome).toMatchObject({ status: 'UP', statusCode: 204, errorMessage: null });
    expect(outcome.responseTimeMs).toEqual(expect.any(Number));
  });

  it('reports DOWN for a status outside the expected ranges, naming what was expected', async () => {
    target.handler = respondWith(404);
    const outcome = await checker.check(monitor({ expectedStatusRanges: [{ min: 200, max: 299 }, { min: 401, max: 401 }] }));
    expect(outcome).toMatchObject({ status: 'DOWN', statusCode: 404, errorMessage: 'unexpected status 404 (expected 200-299, 401)' });
  });

  it('sends the method, headers and JSON body of the monitor', async () => {
    let seen = { method: '', header: '', body: '', type: '' };
    target.handler = (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { method: req.method ?? '', header: String(req.headers['x-probe']), body, type: String(req.headers['content-type']) };
        res.end('ok');
      });
    };
    await checker.check(monitor({ method: 'POST', requestHeader: { 'X-Probe': 'yes' }, requestBody: { ping: 1 } }));
    expect(seen).toEqual({ method: 'POST', header: 'yes', body: '{"ping":1}', type: 'application/json' });
  });

  it('checks a keyword for presence or absence in the body', async () => {
    target.handler = respondWith(200, '<html>all systems operational</html>');
    expect((await checker.check(monitor({ keyword: 'operational' }))).status).toBe('UP');
    expect(await checker.check(monitor({ keyword: 'maintenance' }))).toMatchObject({ status: 'DOWN', errorMessage: 'keyword "maintenance" not found in the response' });
    expect((await checker.check(monitor({ keyword: 'operational', keywordMode: 'absent' }))).status).toBe('DOWN');
  });

  it('follows redirects only when the monitor says so', async () => {
    target.handler = (req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new' }).end();
      } else res.writeHead(500).end();
    };
    const url = `${target.url}/old`;
    expect(await checker.check(monitor({ url, followRedirects: true }))).toMatchObject({ status: 'DOWN', statusCode: 500 });
    expect(await checker.check(monitor({ url, followRedirects: false }))).toMatchObject({ status: 'UP', statusCode: 302 });
  });

  it('counts a response slower than max_response_time_ms as a failure', async () => {
    target.handler = (_req, res) => setTimeout(() => res.end('late'), 150);
    const outcome = await checker.check(monitor({ maxResponseTimeMs: 50 }));
    expect(outcome.status).toBe('DOWN');
    expect(outcome.errorMessage).toMatch(/^response took \d+ ms \(limit 50 ms\)$/);
  });

  it('cuts a hung target at the monitor timeout and closes the connection', async () => {
    let closed = false;
    target.handler = (req) => req.socket.once('close', () => (closed = true)); // never answers
    const outcome = await checker.check(monitor({ timeout: 1 }));
    expect(outcome).toEqual({ status: 'DOWN', statusCode: null, responseTimeMs: null, errorMessage: 'timed out after 1s' });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(true);
  });

  it('cuts a target that sends headers and then stalls the body at the same deadline', async () => {
    target.handler = (_req, res) => {
      res.writeHead(200);
      res.write('partial');
    };
    expect(await checker.check(monitor({ timeout: 1, keyword: 'never' }))).toMatchObject({ status: 'DOWN', errorMessage: 'timed out after 1s' });
  });

  it('keeps connection errors short and free of the credentials in the URL or headers', async () => {
    const outcome = await checker.check(
      monitor({ url: 'http://admin:hunter22@127.0.0.1:1/health', requestHeader: { authorization: 'Bearer s3cr3t-token-value' } }),
    );
    expect(outcome.status).toBe('DOWN');
    expect(outcome.errorMessage).toMatch(/ECONNREFUSED/);
    expect(String(outcome.errorMessage).length).toBeLessThanOrEqual(500);
    expect(outcome.errorMessage).not.toMatch(/hunter22|s3cr3t/);
  });
});
