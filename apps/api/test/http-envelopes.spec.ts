import { createServer, Server, Socket } from 'node:net';
import { getFreePort } from '@epitrace/testing';
import { startTestApi, TestApi } from './support/test-api';

describe('error envelopes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ label: 'envelopes', env: { BODY_LIMIT: '16kb' } });
  });
  afterAll(() => api?.stop());

  it('answers an unknown route 404 {error:"Not found"}, with or without a token', async () => {
    expect((await api.request().get('/no/such/route').expect(404)).body).toEqual({ error: 'Not found' });
    expect((await api.request().post('/monitor/nope/nope').expect(404)).body).toEqual({ error: 'Not found' });
    expect((await api.as('garbage').get('/no/such/route').expect(404)).body).toEqual({ error: 'Not found' });
  });

  it('allows CORS only from CORS_ORIGINS and sends the helmet headers', async () => {
    const allowed = await api.request().options('/monitor').set('Origin', 'http://localhost:3000').set('Access-Control-Request-Method', 'GET');
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const refused = await api.request().options('/monitor').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const res = await api.request().get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers malformed JSON with 400 and a clear message', async () => {
    const res = await api.request().post('/auth/login').set('Content-Type', 'application/json').send('{"email": "a@b.c", ').expect(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^Malformed JSON body/) });
  });

  it('answers absurdly nested JSON with 400 instead of crashing', async () => {
    const deep = '{"email":' + '['.repeat(6_000) + ']'.repeat(6_000) + '}';
    const res = await api.request().post('/auth/login').set('Content-Type', 'application/json').send(deep).expect(400);
    expect(res.body).toEqual({ error: 'Malformed JSON body: nested too deeply' });
  });

  it('answers a body above BODY_LIMIT with 413 {error}', async () => {
    const res = await api
      .request()
      .post('/auth/login')
      .send({ email: 'a@example.com', password: 'x'.repeat(20_000) })
      .expect(413);
    expect(res.body).toEqual({ error: expect.stringMatching(/too large/) });
  });

  it('answers an unsupported body charset with a 4xx envelope', async () => {
    const res = await api.request().post('/auth/login').set('Content-Type', 'application/json; charset=klingon').send('{}');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error: expect.any(String) });
  });
});

/** A TCP proxy in front of Postgres that the test can cut, to simulate a database outage. */
async function startCuttableProxy(targetPort: number): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    upstream.connect(targetPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  const port = await getFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

describe('database outage', () => {
  let api: TestApi;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  beforeAll(async () => {
    proxy = await startCuttableProxy(5432);
    api = await startTestApi({
      label: 'outage',
      mapDatabaseUrl: (url) => {
        const u = new URL(url);
        u.port = String(proxy.port);
        return u.toString();
      },
    });
  });
  afterAll(() => api?.stop());

  it('answers 503 {error} instead of 500 while Postgres is unreachable', async () => {
    await api.request().post('/auth/login').send({ email: 'a@example.com', password: 'password123' }).expect(401);
    await proxy.cut();
    const res = await api.request().post('/auth/login').send({ email: 'a@example.com', password: 'password123' });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: expect.stringMatching(/database/i) });
  });
});
