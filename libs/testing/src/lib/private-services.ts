import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { getFreePort, waitFor } from './net';

/**
 * Throw-away Postgres and Redis servers of a test's own, on free ports. Fault tests stop, wipe
 * and restart these; the shared servers on 5432/6379 that other test files use are never touched.
 */

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and starts an empty one on the same port: everything in Redis is gone. */
  restartEmpty(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await getFreePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(async () => {
      const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    }, { timeoutMs: 10_000, what: `redis-server on ${port}` });
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    restartEmpty: async () => {
      await stop();
      await start();
    },
  };
}

export interface PrivatePostgres {
  /** Admin URL (database `postgres`); build database URLs from it. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function postgresBinDir(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  const dir = join('/usr/lib/postgresql', versions[versions.length - 1], 'bin');
  if (!existsSync(join(dir, 'initdb'))) throw new Error(`no initdb in ${dir}`);
  return dir;
}

/** initdb refuses to run as root: run the server tools as the `postgres` system user then. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const port = await getFreePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'epitrace-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dataDir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asPostgresUser(join(bin, tool), args);
    execFileSync(cmd, argv, { stdio: 'pipe' });
  };
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const start = async () => {
    run('pg_ctl', ['-D', dataDir, '-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(dataDir, 'log'), '-w', 'start']);
  };
  const stop = async () => {
    run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  };
  await start();
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy: async () => {
      try {
        await stop();
      } catch {
        // already stopped
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
