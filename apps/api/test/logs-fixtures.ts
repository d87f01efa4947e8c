import { randomUUID } from 'node:crypto';

type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/** A monitor, an incident and a fix job owned by `userId`, inserted directly; returns the fix job id. */
export async function insertFixJob(query: Query, userId: string, options: { status?: string; prUrl?: string | null; monitorName?: string } = {}): Promise<string> {
  const monitorId = randomUUID();
  const incidentId = randomUUID();
  const fixJobId = randomUUID();
  await query(
    `INSERT INTO monitors (id, user_id, name, url, repo_link, method, is_active, check_interval, timeout, status)
     VALUES ($1, $2, $3, 'https://shop.example.com/health', 'https://github.com/acme/shop', 'GET', true, 60, 10, 'DOWN')`,
    [monitorId, userId, options.monitorName ?? 'Shop API'],
  );
  await query(
    `INSERT INTO incidents (id, monitor_id, user_id, state, opened_at, cause, status_code, analysis_status, analysis)
     VALUES ($1, $2, $3, 'open', now(), 'HTTP 500 from /health', 500, 'completed', $4)`,
    [
      incidentId,
      monitorId,
      userId,
      JSON.stringify({
        summary: 'The health check fails because the database pool is exhausted.',
        root_cause: 'Connections are never released in OrderRepository.findRecent.',
        evidence: ['500 responses since 12:04', 'pool timeout errors'],
        suspected_files: ['src/orders/order.repository.ts'],
        proposed_fix: 'Release the connection in a finally block.',
        confidence: 'high',
      }),
    ],
  );
  await query(`INSERT INTO fix_jobs (id, incident_id, monitor_id, user_id, status, pr_url, pr_number) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    fixJobId,
    incidentId,
    monitorId,
    userId,
    options.status ?? 'fixing',
    options.prUrl ?? null,
    options.prUrl ? 42 : null,
  ]);
  return fixJobId;
}
