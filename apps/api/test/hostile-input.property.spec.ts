import fc from 'fast-check';
import { startTestApi, TestApi, TestUser } from './support/test-api';

/**
 * Property-based: every route in the OpenAPI spec (so routes added later are covered too) gets
 * random and hostile path parameters, query strings and bodies, with and without a valid
 * token. The API must never answer 5xx, never let `__proto__` keys pollute objects, and never
 * store rows that break the model's invariants.
 */

interface Operation {
  method: string;
  path: string;
  bodyProperties: string[];
}

const HOSTILE_STRINGS = [
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  '$(rm -rf /)',
  '`reboot`',
  '; cat /etc/passwd',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '__proto__',
  'constructor',
  'prototype',
  '<script>alert(1)</script>',
  '\u0000',
  '\ud800',
  '🙂'.repeat(1000),
  'x'.repeat(300_000),
  'null',
  '-1',
  '1e309',
  'http://169.254.169.254/latest/meta-data/',
  'javascript:alert(1)',
];

const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.uuid());
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);
const pollutingObject = fc.constantFrom(
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"name":"x","__proto__":{"isAdmin":true}}',
);

function operationsFromSpec(spec: { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>> }, schemas: Record<string, { properties?: Record<string, unknown> }>): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
      const schema = ref ? schemas[ref.split('/').pop() as string] : undefined;
      ops.push({ method: method.toUpperCase(), path, bodyProperties: Object.keys(schema?.properties ?? {}) });
    }
  }
  return ops;
}

describe('hostile input on every route (fast-check)', () => {
  let api: TestApi;
  let user: TestUser;
  let operations: Operation[];

  beforeAll(async () => {
    api = await startTestApi({ label: 'hostile', env: { AUTH_RATE_LIMIT_PER_MINUTE: '10000' } });
    user = await api.registerUser();
    const spec = (await api.request().get('/docs-json').expect(200)).body;
    operations = operationsFromSpec(spec, spec.components?.schemas ?? {});
  });

  afterAll(() => api?.stop());

  async function send(op: Operation, pathValue: string, query: Record<string, string>, body: string | undefined, authenticated: boolean) {
    // A lone surrogate cannot be percent-encoded; a client would send the raw (invalid UTF-8) bytes.
    const segment = pathValue.isWellFormed() ? encodeURIComponent(pathValue) : '%ED%A0%80';
    const path = op.path.replace(/\{[^}]+\}/g, () => segment);
    const qs = Object.entries(query)
      .map(([k, v]) => `${k}=${v.isWellFormed() ? encodeURIComponent(v) : '%ED%A0%80'}`)
      .join('&');
    const headers: Record<string, string> = {};
    if (authenticated) headers['authorization'] = `Bearer ${user.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api.url}${path}${qs ? `?${qs}` : ''}`, {
      method: op.method,
      headers,
      body: op.method === 'GET' || op.method === 'HEAD' ? undefined : body,
      // Streams (SSE) answer with headers and stay open: the status is all that is judged.
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel().catch(() => undefined);
    return res.status;
  }

  it('finds the routes to attack in the OpenAPI spec', () => {
    expect(operations.length).toBeGreaterThan(5);
  });

  it('never answers 5xx, whatever arrives in the path, query or body', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        hostileString,
        fc.dictionary(fc.constantFrom('limit', 'offset', 'window', 'jobId', 'token', '__proto__'), hostileString, { maxKeys: 3 }),
        fc.oneof(
          fc.constant(undefined),
          pollutingObject,
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 30 }), // not JSON at all
          fc.integer().map(String),
        ),
        fc.boolean(),
        fc.dictionary(fc.constantFrom('x'), hostileValue).chain((extra) =>
          fc.record({ extra: fc.constant(extra), useKnownFields: fc.boolean() }),
        ),
        async (pick, pathValue, query, rawBody, authenticated, { extra, useKnownFields }) => {
          const op = operations[pick % operations.length];
          let body = rawBody;
          if (useKnownFields && op.bodyProperties.length) {
            // Wrong types in the fields the DTO expects.
            const fields: Record<string, unknown> = {};
            for (const key of op.bodyProperties) fields[key] = extra['x'] ?? pathValue;
            body = JSON.stringify(fields);
          }
          const status = await send(op, pathValue, query, body, authenticated);
          seen.set(`${op.method} ${op.path}`, status);
          if (status >= 500) throw new Error(`${op.method} ${op.path} answered ${status} (path=${JSON.stringify(pathValue).slice(0, 80)}, body=${String(body).slice(0, 120)})`);
        },
      ),
      { numRuns: 600 },
    );
    expect(seen.size).toBeGreaterThan(operations.length / 2);
  });

  it('never lets __proto__ keys pollute objects', async () => {
    for (const op of operations.filter((o) => o.method !== 'GET')) {
      await send(op, '00000000-0000-4000-8000-000000000000', {}, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted2":true}}}', true);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted2']).toBeUndefined();
  });

  it('leaves the stored data consistent after the attack', async () => {
    const checks: [string, string][] = [
      ['emails are stored normalised', `SELECT count(*)::int AS n FROM users WHERE email <> lower(btrim(email))`],
      ['GitHub tokens are only stored sealed', `SELECT count(*)::int AS n FROM github_tokens WHERE token_ciphertext NOT LIKE 'v1.%'`],
      ['webhook URLs are only stored sealed', `SELECT count(*)::int AS n FROM webhooks WHERE url_ciphertext NOT LIKE 'v1.%'`],
      ['every monitor has an owner', `SELECT count(*)::int AS n FROM monitors m LEFT JOIN users u ON u.id = m.user_id WHERE u.id IS NULL`],
      ['monitor names and URLs are not empty', `SELECT count(*)::int AS n FROM monitors WHERE btrim(name) = '' OR btrim(url) = ''`],
    ];
    for (const [what, sql] of checks) {
      const [row] = (await api.query(sql)) as { n: number }[];
      expect({ what, violations: row.n }).toEqual({ what, violations: 0 });
    }
  });
});
