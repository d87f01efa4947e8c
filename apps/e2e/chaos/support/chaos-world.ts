import { createServer, Server } from 'node:http';
import { Client } from 'pg';
import { runMigrations } from '@epitrace/entities';
import { PrivatePostgres, PrivateRedis, getFreePort, startPrivatePostgres, startPrivateRedis } from '@epitrace/testing';

/** A local HTTP target whose health the test flips (per path, or '*' for all); it counts the requests it gets per path. */
export class Target {
  failing = new Set<string>();
  readonly requests = new Map<string, number>();
  private server: Server | null = null;
  port = 0;

  async start(): Promise<void> {
    this.port = this.port || (await getFreePort());
    const server = createServer((req, res) => {
      const id = (req.url ?? '/').slice(1);
      this.requests.set(id, (this.requests.get(id) ?? 0) + 1);
      res.statusCode = this.failing.has(id) || this.failing.has('*') ? 503 : 200;
      res.end(res.statusCode === 200 ? 'ok' : 'down');
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
  }

  url(id: string): string {
    return `http://127.0.0.1:${this.port}/${id}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** Private Postgres + Redis + a target, and the SQL the fault tests read their verdicts from. */
export class ChaosWorld {
  pg!: PrivatePostgres;
  redis!: PrivateRedis;
  databaseUrl = '';
  readonly target = new Target();
  private db: Client | null = null;

  async start(): Promise<void> {
    [this.pg, this.redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    const admin = new Client({ connectionString: this.pg.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE epitrace');
    await admin.end();
    this.databaseUrl = this.pg.adminUrl.replace(/\/postgres$/, '/epitrace');
    await runMigrations(this.databaseUrl);
    await this.target.start();
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return { DATABASE_URL: this.databaseUrl, REDIS_URL: this.redis.url, QUEUE_PREFIX: 'chaos', LOG_LEVEL: 'warn', ...extra };
  }

  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    if (!this.db) {
      const db = new Client({ connectionString: this.databaseUrl });
      db.on('error', () => {
        if (this.db === db) this.db = null;
      });
      await db.connect();
      this.db = db;
    }
    return (await this.db.query(text, params)).rows as T[];
  }

  /** Forgets the SQL connection (e.g. before Postgres is stopped on purpose). */
  async dropConnection(): Promise<void> {
    const db = this.db;
    this.db = null;
    await db?.end().catch(() => undefined);
  }

  /** A user with `count` active monitors on the target, checked every `intervalSeconds`. */
  async createMonitors(count: number, intervalSeconds: number, options: { failureThreshold?: number } = {}): Promise<string[]> {
    const [user] = await this.sql<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`, [
      `chaos-${Date.now()}-${Math.random()}@example.com`,
    ]);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const [row] = await this.sql<{ id: string }>(
        `INSERT INTO monitors (user_id, name, url, is_active, check_interval, timeout, failure_threshold, recovery_threshold)
         VALUES ($1, $2, 'http://placeholder', true, $3, 2, $4, 1) RETURNING id`,
        [user.id, `chaos-${i}`, intervalSeconds, options.failureThreshold ?? 2],
      );
      await this.sql('UPDATE monitors SET url = $1 WHERE id = $2', [this.target.url(row.id), row.id]);
      ids.push(row.id);
    }
    return ids;
  }

  /** Latest check time per monitor. */
  async lastChecks(): Promise<Map<string, Date>> {
    const rows = await this.sql<{ monitor_id: string; last: Date }>('SELECT monitor_id, max(checked_at) AS last FROM monitor_checks GROUP BY monitor_id');
    return new Map(rows.map((r) => [r.monitor_id, new Date(r.last)]));
  }

  async stop(): Promise<void> {
    await this.dropConnection();
    await this.target.stop();
    await Promise.all([this.redis?.stop(), this.pg?.destroy()]);
  }
}

/** What a fault test prints: what it did and what it found, one line each. */
export function report(fault: string, lines: Record<string, string | number | boolean>): void {
  const body = Object.entries(lines)
    .map(([k, v]) => `    ${k}: ${v}`)
    .join('\n');
  process.stdout.write(`\n[chaos] ${fault}\n${body}\n`);
}
