import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { redisOptionsFromUrl } from '@epitrace/config';
import { buildDataSourceOptions } from '@epitrace/entities';
import { QUEUES } from '@epitrace/queue-contracts';
import { TEST_REDIS_URL, TestDatabase, createTestDatabase, deleteKeysWithPrefix, uniqueQueuePrefix } from '@epitrace/testing';
import { AlertRetrySweep } from '../src/alerts/alert-retry.sweep';
import type { AnalysisAgentConfig } from '../src/config/analysis-agent.config';

describe('undelivered alerts are handed back to the queue', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let queue: Queue;
  let sweep: AlertRetrySweep;
  const prefix = uniqueQueuePrefix('alert-retry');
  let incidentId: string;
  let monitorId: string;
  let webhookIds: string[];

  beforeAll(async () => {
    db = await createTestDatabase('alert_retry');
    ds = await new DataSource(buildDataSourceOptions({ url: db.url, poolSize: 2 })).initialize();
    queue = new Queue(QUEUES.DOWN_MONITORS, { connection: redisOptionsFromUrl(TEST_REDIS_URL), prefix });
    const config = { ALERT_RETRY_SWEEP_MS: 30_000, ALERT_RETRY_MAX_AGE_MS: 86_400_000, WEBHOOK_STALE_SENDING_MS: 120_000 } as AnalysisAgentConfig;
    sweep = new AlertRetrySweep(ds, queue, config);
    const [user] = await ds.query(`INSERT INTO users (email, password_hash) VALUES ('sweep@example.com', 'x') RETURNING id`);
    const [monitor] = await ds.query(
      `INSERT INTO monitors (user_id, name, url, check_interval, timeout) VALUES ($1, 'm', 'https://example.com', 30, 5) RETURNING id`,
      [user.id],
    );
    monitorId = monitor.id;
    const [incident] = await ds.query(`INSERT INTO incidents (monitor_id, user_id, opened_at) VALUES ($1, $2, now()) RETURNING id`, [monitorId, user.id]);
    incidentId = incident.id;
    webhookIds = [];
    for (const n of [1, 2, 3, 4]) {
      const [w] = await ds.query(
        `INSERT INTO webhooks (user_id, provider, url_ciphertext, url_hash, url_hint) VALUES ($1, 'slack', 'v1.x', $2, 'hint') RETURNING id`,
        [user.id, String(n).repeat(64)],
      );
      webhookIds.push(w.id);
    }
  });

  afterAll(async () => {
    await queue?.close();
    await ds?.destroy();
    await db?.drop();
    await deleteKeysWithPrefix(prefix);
  });

  const addDelivery = (eventKey: string, webhookId: string, status: string, extra: { lastError?: string; nextAttemptInMs?: number; updatedAgoMs?: number } = {}) =>
    ds.query(
      `INSERT INTO alert_deliveries (incident_id, event_key, webhook_id, status, last_error, next_attempt_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, now() + ($6::int * interval '1 millisecond'), now() - ($7::int * interval '1 millisecond'))`,
      [incidentId, eventKey, webhookId, status, extra.lastError ?? null, extra.nextAttemptInMs ?? -1000, extra.updatedAgoMs ?? 0],
    );

  it('re-enqueues the event of a failed delivery once it is due, and of one stuck sending, but not a rejected or not-yet-due one', async () => {
    await addDelivery('down', webhookIds[0], 'failed', { lastError: 'network error: ECONNREFUSED' });
    await addDelivery('recovered', webhookIds[1], 'sending', { updatedAgoMs: 10 * 60_000 });
    await addDelivery('fix:3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b', webhookIds[2], 'failed', { lastError: 'rejected: 404 no such webhook' });
    await addDelivery('analysis', webhookIds[3], 'failed', { nextAttemptInMs: 60_000 });

    const now = Date.now();
    expect(await sweep.sweep(now)).toBe(2);
    const jobs = (await queue.getJobs(['waiting', 'delayed'])).map((j) => ({ name: j.name, data: j.data }));
    expect(jobs).toEqual(
      expect.arrayContaining([
        { name: 'monitor-down', data: { incidentId, monitorId } },
        { name: 'monitor-recovered', data: { incidentId, monitorId } },
      ]),
    );
    expect(jobs).toHaveLength(2);

    // A second sweep in the same window (another replica) adds no second copy.
    await sweep.sweep(now);
    expect(await queue.getJobs(['waiting', 'delayed'])).toHaveLength(2);
  });
});
