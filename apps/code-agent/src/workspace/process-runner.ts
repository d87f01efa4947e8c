import { spawn } from 'node:child_process';
import { Injectable } from '@nestjs/common';
import { GiveBack, SandboxIdentity, lendToSandboxUser, sandboxCommand, scrubbedEnv } from '@epitrace/sandbox';

export interface RunCommandOptions {
  cwd: string;
  timeoutMs: number;
  sandbox: SandboxIdentity;
  /** HOME of the child: outside the working tree, so caches never end up in a commit. Writable, like `cwd`. */
  home: string;
  /** Extra variables for the child; it inherits nothing else from the service. */
  env?: Record<string, string>;
  /** Each line of stdout/stderr as it comes. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  /** Keep at most this much of the combined output (the tail). */
  maxOutputBytes?: number;
}

export interface RunCommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Combined stdout and stderr, the last `maxOutputBytes` of it. */
  output: string;
  durationMs: number;
}

/**
 * Runs a repository's own commands (installs, tests): argv only, never a shell string; in its own
 * process group so a timeout kills everything it started; with a scrubbed environment so the
 * service's secrets are out of reach; under the configured sandbox.
 */
@Injectable()
export class ProcessRunner {
  /**
   * In `user` mode the working directory and HOME belong to the sandbox user while the command
   * runs (it could not write there otherwise) and go back to their owner once it has ended, however
   * it ended, so that nothing in them is the sandbox user's to change any more. The service's git
   * directory is not in the working tree and is never lent (see RepoCheckout).
   */
  async run(argv: string[], options: RunCommandOptions): Promise<RunCommandResult> {
    const started = Date.now();
    let giveBack: GiveBack;
    try {
      giveBack = await lendToSandboxUser([options.cwd, options.home], options.sandbox);
    } catch (err) {
      return { exitCode: null, signal: null, timedOut: false, output: `could not hand the checkout to the sandbox user: ${(err as Error).message}`, durationMs: Date.now() - started };
    }
    try {
      return await this.spawnAndWait(argv, options, started);
    } finally {
      await giveBack();
    }
  }

  private spawnAndWait(argv: string[], options: RunCommandOptions, started: number): Promise<RunCommandResult> {
    const limit = options.maxOutputBytes ?? 64 * 1024;
    const env = scrubbedEnv({ HOME: options.home, CI: 'true', ...(options.env ?? {}) });
    const command = sandboxCommand(argv[0], argv.slice(1), {
      mode: options.sandbox.mode,
      uid: options.sandbox.uid,
      gid: options.sandbox.gid,
      workdir: options.cwd,
      writable: [options.home],
      env,
    });
    return new Promise((resolve) => {
      let output = '';
      let timedOut = false;
      const append = (text: string) => {
        output += text;
        if (output.length > limit * 2) output = output.slice(-limit);
      };
      let child;
      try {
        child = spawn(command.command, command.args, { cwd: command.cwd, env: command.env, uid: command.uid, gid: command.gid, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        resolve({ exitCode: null, signal: null, timedOut: false, output: `could not start ${argv[0]}: ${(err as Error).message}`, durationMs: Date.now() - started });
        return;
      }
      const killGroup = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, options.timeoutMs);
      const onAbort = () => killGroup();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      for (const stream of ['stdout', 'stderr'] as const) {
        let partial = '';
        child[stream].on('data', (chunk: Buffer) => {
          const text = chunk.toString('utf8');
          append(text);
          partial += text;
          const lines = partial.split(/\r?\n/);
          partial = lines.pop() ?? '';
          for (const line of lines) options.onLine?.(line, stream);
        });
        child[stream].on('end', () => partial && options.onLine?.(partial, stream));
      }
      let settled = false;
      const finish = (exitCode: number | null, signal: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ exitCode, signal, timedOut, output: output.slice(-limit), durationMs: Date.now() - started });
      };
      child.on('error', (err) => {
        append(`\ncould not run ${argv[0]}: ${err.message}\n`);
        finish(null, null);
      });
      child.on('close', (code, signal) => finish(code, signal));
    });
  }
}
