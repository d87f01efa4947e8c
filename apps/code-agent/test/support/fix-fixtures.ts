import { randomBytes, randomUUID } from 'node:crypto';
import { IncomingHttpHeaders, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { SecretCipher } from '@epitrace/secrets';
import { SHOP_ANALYSIS } from '@epitrace/testing';

export interface SeededIncident {
  userId: string;
  monitorId: string;
  incidentId: string;
  fixJobId: string;
}

/** Inserts a user, a monitor with a repository and an encrypted token, an incident with the shop's analysis and a queued fix job. */
export async function seedIncident(
  databaseUrl: string,
  options: { repoLink: string; token: string; encryptionKey: string; userId?: string; withFixJob?: boolean },
): Promise<SeededIncident> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const userId = options.userId ?? randomUUID();
    if (!options.userId) {
      await db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')`, [userId, `u-${randomBytes(4).toString('hex')}@example.test`]);
    }
    const monitorId = randomUUID();
    await db.query(
      `INSERT INTO monitors (id, user_id, name, url, repo_link, method, is_active, check_interval, timeout, status)
       VALUES ($1, $2, 'shop checkout', 'https://shop.example.test/api/checkout', $3, 'POST', true, 60, 10, 'DOWN')`,
      [monitorId, userId, options.repoLink],
    );
    const tokenId = randomUUID();
    await db.query(`INSERT INTO github_tokens (id, user_id, token_ciphertext, token_last4, is_active) VALUES ($1, $2, $3, $4, true)`, [
      tokenId,
      userId,
      new SecretCipher(options.encryptionKey).encrypt(options.token),
      options.token.slice(-4),
    ]);
    await db.query(`INSERT INTO monitor_github_tokens (monitor_id, github_token_id) VALUES ($1, $2)`, [monitorId, tokenId]);
    const incidentId = randomUUID();
    await db.query(
      `INSERT INTO incidents (id, monitor_id, user_id, state, opened_at, cause, status_code, analysis_status, analysis)
       VALUES ($1, $2, $3, 'open', '2026-11-25T21:00:00Z', 'HTTP 500: checkout total is off by one', 500, 'completed', $4)`,
      [
        incidentId,
        monitorId,
        userId,
        JSON.stringify(SHOP_ANALYSIS),
      ],
    );
    const fixJobId = randomUUID();
    if (options.withFixJob !== false) {
      await db.query(`INSERT INTO fix_jobs (id, incident_id, monitor_id, user_id, status, step_timestamps) VALUES ($1, $2, $3, $4, 'queued', jsonb_build_object('queued', now()))`, [
        fixJobId,
        incidentId,
        monitorId,
        userId,
      ]);
    }
    return { userId, monitorId, incidentId, fixJobId };
  } finally {
    await db.end();
  }
}

export interface IngestReceiver {
  url: string;
  entries: Record<string, unknown>[];
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** Stands in for the api's `POST /logs/code-worker` (202, secret checked). */
export async function startIngestReceiver(secret: string): Promise<IngestReceiver> {
  const entries: Record<string, unknown>[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    headers.push(req.headers);
    if (req.url !== '/logs/code-worker' || req.method !== 'POST') return res.writeHead(404).end();
    if (req.headers['x-ingest-secret'] !== secret) return res.writeHead(401).end('{"error":"bad secret"}');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    entries.push(...(Array.isArray(body) ? body : [body]));
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"success":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    entries,
    headers,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
