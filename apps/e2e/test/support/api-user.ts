import { waitFor } from '@epitrace/testing';

/** The statuses a fix job ends in. */
export const FINISHED_FIX_STATUSES = ['done', 'failed', 'no-change'];

/** Someone signed up on a running api, calling it over HTTP with their token as the dashboard does. */
export class ApiUser {
  private constructor(
    readonly id: string,
    readonly jwt: string,
    private readonly baseUrl: string,
  ) {}

  /** Signs a new user up (the api must accept the test's sign-ups: see API_TEST_ENV). */
  static async register(baseUrl: string, email: string): Promise<ApiUser> {
    const res = await fetch(`${baseUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple', rePassword: 'correct horse battery staple' }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; user: { id: string } };
    return new ApiUser(body.user.id, body.token, baseUrl);
  }

  /** The same user talking to another replica of the api. */
  at(baseUrl: string): ApiUser {
    return new ApiUser(this.id, this.jwt, baseUrl);
  }

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${this.jwt}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  }

  /** POSTs `body`, expects 201 Created and returns the new resource's id. */
  async create(path: string, body: unknown): Promise<string> {
    const res = await this.fetch(path, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { id: string } }).data.id;
  }

  /** The fix job as `GET /fix-jobs/:id` shows it, once it has finished. */
  waitForFixJob(fixJobId: string, options: { timeoutMs: number; intervalMs: number; what: string }): Promise<Record<string, unknown>> {
    return waitFor(async () => {
      const body = (await (await this.fetch(`/fix-jobs/${fixJobId}`)).json()) as { data: Record<string, unknown> };
      return FINISHED_FIX_STATUSES.includes(body.data['status'] as string) ? body.data : null;
    }, options);
  }
}
