import { ChildProcess, spawn } from 'node:child_process';
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
