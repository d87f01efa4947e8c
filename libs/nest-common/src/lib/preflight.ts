import { Socket } from 'node:net';
import { Client } from 'pg';

const HOW_TO_START = {
  postgres: "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up -d postgres)",
  redis: 'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379   (or: docker compose up -d redis)',
};

function probeTcp(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

export class DependencyUnavailableError extends Error {}

/** Says plainly which service is not reachable and how to start it, instead of a stack trace. */
export async function assertServicesReachable(databaseUrl: string, redisUrl: string): Promise<void> {
  const pg = new URL(databaseUrl);
  const redis = new URL(redisUrl);
  const problems: string[] = [];
  if (!(await probeTcp(pg.hostname, Number(pg.port || 5432)))) {
    problems.push(`PostgreSQL is not reachable at ${pg.hostname}:${pg.port || 5432}; ${HOW_TO_START.postgres}`);
  }
  if (!(await probeTcp(redis.hostname, Number(redis.port || 6379)))) {
    problems.push(`Redis is not reachable at ${redis.hostname}:${redis.port || 6379}; ${HOW_TO_START.redis}`);
  }
  if (problems.length) throw new DependencyUnavailableError(problems.join('\n'));
}

/** Creates the application database if it does not exist yet (development convenience). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to create database with unusual name "${name}"`);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (err) {
      // Another app created it between our check and our CREATE.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
    return true;
  } finally {
    await client.end();
  }
}
