import { startTestApi, TestApi } from './support/test-api';

describe('auth routes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ label: 'auth' });
  });
  afterAll(() => api?.stop());

  it('registers a user with a normalised email and returns a token and joinedAt', async () => {
    const res = await api
      .request()
      .post('/auth/register')
      .send({ email: '  Grace.Hopper@Example.COM ', password: 'cobol-forever', rePassword: 'cobol-forever' })
      .expect(201);
    expect(res.body).toEqual({
      message: expect.any(String),
      token: expect.any(String),
      user: { id: expect.any(String), email: 'grace.hopper@example.com', joinedAt: expect.any(String) },
    });
    const [row] = await api.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [res.body.user.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a second account for the same email in another case with 409', async () => {
    await api.registerUser('dup@example.com');
    const res = await api.request().post('/auth/register').send({ email: 'DUP@Example.com', password: 'password123', rePassword: 'password123' }).expect(409);
    expect(res.body).toEqual({ error: 'Email already in use' });
  });

  it('answers 400 with an error message for missing fields, mismatched or short passwords and bad emails', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /required/],
      [{ email: 'a@example.com', password: 'password123' }, /rePassword is required/],
      [{ email: 'b@example.com', password: 'password123', rePassword: 'password124' }, /do not match/],
      [{ email: 'c@example.com', password: 'short', rePassword: 'short' }, /at least 8 characters/],
      [{ email: 'not-an-email', password: 'password123', rePassword: 'password123' }, /valid email/],
      [{ email: 42, password: 'password123', rePassword: 'password123' }, /email/],
      [{ email: 'd@example.com', password: 'password123', rePassword: 'password123', admin: true }, /admin should not exist/],
    ];
    for (const [body, message] of cases) {
      const res = await api.request().post('/auth/register').send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error).toMatch(message);
    }
  });

  it('logs in with any case of the email and returns last_updated', async () => {
    const user = await api.registerUser('login.case@example.com', 'a long password');
    const res = await api.request().post('/auth/login').send({ email: 'Login.Case@EXAMPLE.com', password: 'a long password' }).expect(200);
    expect(res.body).toEqual({
      message: 'Login successful',
      token: expect.any(String),
      user: { id: user.id, email: 'login.case@example.com', last_updated: expect.any(String) },
    });
  });

  it('answers 401 "Invalid email or password" for a wrong password and for an unknown email alike', async () => {
    await api.registerUser('wrong.pw@example.com', 'right password');
    const wrong = await api.request().post('/auth/login').send({ email: 'wrong.pw@example.com', password: 'wrong password' }).expect(401);
    const unknown = await api.request().post('/auth/login').send({ email: 'nobody@example.com', password: 'whatever123' }).expect(401);
    expect(wrong.body).toEqual({ error: 'Invalid email or password' });
    expect(unknown.body).toEqual({ error: 'Invalid email or password' });
  });

  it('never writes a password into the logs', async () => {
    await api.registerUser('logged@example.com', 'pw-that-must-not-leak');
    await api.request().post('/auth/login').send({ email: 'logged@example.com', password: 'pw-that-must-not-leak' }).expect(200);
    await api.request().post('/auth/login').send({ email: 'logged@example.com', password: 'pw-that-must-not-leak-wrong' }).expect(401);
    expect(api.logs().length).toBeGreaterThan(0);
    expect(api.logs().join('\n')).not.toContain('pw-that-must-not-leak');
  });
});

describe('auth rate limit', () => {
  let api: TestApi;
  let replica: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ label: 'authlimit', env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    // A second api process sharing Redis (same key prefix), as in a deployment with two replicas.
    replica = await startTestApi({ label: 'authlimit2', env: { AUTH_RATE_LIMIT_PER_MINUTE: '3', QUEUE_PREFIX: api.queuePrefix } });
  });
  afterAll(async () => {
    await replica?.stop();
    await api?.stop();
  });

  it('answers 429 with an error envelope once an address exceeds AUTH_RATE_LIMIT_PER_MINUTE, counted across replicas', async () => {
    const statuses: number[] = [];
    let last: { status: number; body: unknown; headers: Record<string, string> } | undefined;
    for (const target of [api, replica, api, replica]) {
      last = await target.request().post('/auth/login').send({ email: 'x@example.com', password: 'password123' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(last?.body).toEqual({ error: expect.stringMatching(/too many requests/i) });
    expect(Number(last?.headers['retry-after-auth'])).toBeGreaterThan(0);
  });
});
