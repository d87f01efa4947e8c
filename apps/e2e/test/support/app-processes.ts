import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@epitrace/testing';

export const WORKSPACE_ROOT = join(__dirname, '../../../..');
export type AppName = 'api' | 'monitor-worker' | 'analysis-agent' | 'code-agent';

const PORT_VARIABLE: Record<AppName, string> = {
  api: 'PORT',
  'monitor-worker': 'MONITOR_WORKER_PORT',
  'analysis-agent': 'ANALYSIS_AGENT_PORT',
  'code-agent': 'CODE_AGENT_PORT',
};

/** Fresh secrets for one deployment; every app of it must get the same ones. */
export function deploymentSecrets() {
  return {
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    INGEST_SECRET: randomBytes(32).toString('base64url'),
    FIX_LINK_SECRET: randomBytes(48).toString('base64url'),
    JWT_SECRET: randomBytes(48).toString('base64url'),
  };
}

/** What every app of one deployment starts with: its database, its queue prefix and the secrets they share. */
export function deploymentEnv(databaseUrl: string, queuePrefix: string) {
  return { DATABASE_URL: databaseUrl, QUEUE_PREFIX: queuePrefix, ...deploymentSecrets() };
}

/** An api the tests can use freely: sign-ups are not rate limited and webhooks may point at the local fake receivers. */
export const API_TEST_ENV = { AUTH_RATE_LIMIT_PER_MINUTE: '1000', WEBHOOK_ALLOW_ANY_HOST: 'true' };

export interface RunningApp {
  name: AppName;
  port: number;
  process: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Sends the signal and resolves with the exit code, or the signal's name if it ended by one. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts a built app (`dist/apps/<name>/main.js`, built by Nx before this project's tests) as
 * its own process with the given environment, and waits until its /health answers 200.
 */
export async function startApp(name: AppName, port: number, env: Record<string, string>): Promise<RunningApp> {
  const main = join(WORKSPACE_ROOT, 'dist/apps', name, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx nx build ${name}\` first`);
  let output = '';
  const child = spawn(process.execPath, [main], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env, [PORT_VARIABLE[name]]: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')));
  const app: RunningApp = {
    name,
    port,
    process: child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output.slice(-3000)}`);
        const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
        return res?.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `${name} /health` },
    );
  } catch (err) {
    await app.stop('SIGKILL');
    throw err;
  }
  return app;
}
