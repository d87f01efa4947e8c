import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactSecrets } from '@epitrace/secrets';
import type { SandboxedCommand } from '@epitrace/sandbox';
import { ClineSandboxSettings, assertSandboxUsable, lendRunToSandboxUser, sandboxedAgent } from './agent-sandbox';
import { RunDirs, runArgs, runEnv } from './cline-args';
import { resolveClineBinary } from './cline-binary';
import { RunResultLine, TailBuffer, parseClineLine, truncate } from './cline-events';
import type { ClineLogEvent, ClineOutcome, ClineRunOptions, ClineRunResult } from './cline-run.types';
import { authArgs, needsAuthStep, storeProviderKey } from './provider-credentials';
import { killAllProcessGroups, runInProcessGroup } from './process-group';
import { clineRunDurationSeconds, clineRunsTotal } from '@epitrace/metrics';

export interface ClineRunnerSettings {
  /** Path of the CLI; defaults to CLINE_BIN, the pinned package's native binary, then PATH. */
  binary?: string;
  /** Between SIGINT and SIGKILL when a run is stopped. */
  killGraceMs?: number;
  /** Where the per-run temp dirs go when a run names no `tempRoot` of its own (default: the OS temp dir). */
  tempRoot?: string;
  stderrTailChars?: number;
  /** At most this many stderr lines become log events (the CLI prints warnings with stack traces). */
  maxStderrEvents?: number;
  /** How the CLI (and every command it runs) is confined; default `none`. Applies to `cline auth` too. */
  sandbox?: ClineSandboxSettings;
}

export const CLINE_RUNNER_SETTINGS = Symbol('CLINE_RUNNER_SETTINGS');

const AUTH_TIMEOUT_MS = 30_000;

/**
 * Runs the `cline` CLI headless, once per task, and reports how it ended. Every run gets its own
 * temp `--config`/`--data-dir`/HOME (nothing touches the service user's ~/.cline), its own
 * process group and a deadline the runner enforces itself.
 */
@Injectable()
export class ClineRunner implements OnModuleInit, OnApplicationShutdown {
  private readonly settings: Required<Omit<ClineRunnerSettings, 'binary'>> & { binary: string };

  constructor(@Optional() @Inject(CLINE_RUNNER_SETTINGS) settings: ClineRunnerSettings = {}) {
    this.settings = {
      binary: settings.binary ?? resolveClineBinary(),
      killGraceMs: settings.killGraceMs ?? 5_000,
      tempRoot: settings.tempRoot ?? tmpdir(),
      stderrTailChars: settings.stderrTailChars ?? 2_000,
      maxStderrEvents: settings.maxStderrEvents ?? 50,
      sandbox: settings.sandbox ?? { mode: 'none' },
    };
  }

  get binary(): string {
    return this.settings.binary;
  }

  /** A sandbox that cannot work stops the service at boot, not the first analysis. */
  async onModuleInit(): Promise<void> {
    await assertSandboxUsable(this.settings.sandbox);
  }

  /** Runs in their own process groups would outlive the service; none may (jobs are retried elsewhere). */
  onApplicationShutdown(): void {
    killAllProcessGroups();
  }

  async run(options: ClineRunOptions): Promise<ClineRunResult> {
    const startedAt = Date.now();
    const known = [options.provider.apiKey, ...(options.redact ?? [])].filter((s): s is string => Boolean(s));
    const emit = (event: ClineLogEvent) => {
      try {
        options.onEvent?.(event);
      } catch {
        // a failing log sink must not take the run down with it
      }
    };
    // Every way a run ends goes through here, so it is also where the run is counted.
    const result = (outcome: ClineOutcome, partial: Partial<ClineRunResult>): ClineRunResult => {
      const durationMs = Date.now() - startedAt;
      clineRunsTotal.inc({ mode: options.mode, outcome });
      clineRunDurationSeconds.observe({ mode: options.mode, outcome }, durationMs / 1000);
      return { outcome, text: '', exitCode: null, signal: null, stderrTail: '', eventCount: 0, ...partial, durationMs };
    };
    if (options.signal?.aborted) return result('cancelled', { error: 'cancelled before it started' });

    const sandbox = this.sandboxFor(options);
    if (sandbox.mode === 'user' && (sandbox.uid === undefined || sandbox.gid === undefined)) {
      return result('spawn_failed', { error: 'the sandbox mode "user" needs a uid and a gid for the run (sandboxUser)' });
    }
    const dirs = await this.makeRunDirs(options.tempRoot ?? this.settings.tempRoot);
    let giveBack: () => Promise<void> = async () => undefined;
    try {
      try {
        giveBack = await lendRunToSandboxUser([dirs.root, options.workdir, ...(options.readable ?? [])], sandbox, this.settings.binary);
      } catch (err) {
        return result('spawn_failed', { error: `could not hand the checkout to the sandbox user: ${(err as Error).message}` });
      }
      const env = runEnv(options, dirs);
      if (needsAuthStep(options.provider)) {
        const failure = await this.configureProvider(options, dirs, env, known, startedAt);
        if (failure) return result(failure.outcome, failure);
      }
      emit({ ts: new Date().toISOString(), kind: 'runner', message: `starting cline (${options.mode} mode, ${options.provider.provider}/${options.provider.model})` });

      const stderr = new TailBuffer(this.settings.stderrTailChars);
      let stderrEvents = 0;
      let eventCount = 0;
      let runResult: RunResultLine | undefined;
      const agent = this.agentSpawn(runArgs(options, dirs), options, dirs, env);
      const exit = await runInProcessGroup(agent.command, agent.args, {
        cwd: agent.cwd,
        env: agent.env,
        uid: agent.uid,
        gid: agent.gid,
        deadlineMs: Math.max(0, options.timeoutMs - (Date.now() - startedAt)),
        killGraceMs: this.settings.killGraceMs,
        signal: options.signal,
        onStdoutLine: (line) => {
          if (!line.trim()) return;
          eventCount++;
          const parsed = parseClineLine(line, known);
          if (parsed.kind === 'noise') return;
          if (parsed.kind === 'run_result') runResult = parsed.result;
          emit(parsed.event);
        },
        onStderr: (chunk) => {
          stderr.push(chunk);
          for (const line of chunk.split(/\r?\n/)) {
            if (!line.trim() || /^\s+at\s/.test(line) || stderrEvents >= this.settings.maxStderrEvents) continue;
            stderrEvents++;
            emit({ ts: new Date().toISOString(), kind: 'stderr', message: truncate(redactSecrets(line, known), 300) });
          }
        },
        onStopping: (why, how) =>
          emit({ ts: new Date().toISOString(), kind: 'runner', message: `${why === 'deadline' ? `deadline of ${options.timeoutMs} ms reached` : 'cancelled'}: sending ${how} to the agent` }),
      });

      const outcome = classify(exit, runResult);
      const stderrTail = stderr.tail(known);
      return result(outcome, {
        text: redactSecrets(runResult?.text ?? '', known),
        exitCode: exit.exitCode,
        signal: exit.signal,
        stderrTail,
        eventCount,
        error: outcome === 'completed' ? undefined : describeFailure(outcome, exit, runResult, stderrTail, options.timeoutMs, known),
      });
    } finally {
      // The workdir's repository is the agent's, its `refs/cline/*` checkpoints included: the runner
      // runs no git there, because git would obey whatever the agent planted in it (hooks, config).
      await giveBack();
      await rm(dirs.root, { recursive: true, force: true });
    }
  }

  /** The runner's sandbox, as the run's own user when it brings one. */
  private sandboxFor(options: ClineRunOptions): ClineSandboxSettings {
    const sandbox = this.settings.sandbox;
    return sandbox.mode === 'user' && options.sandboxUser ? { ...sandbox, ...options.sandboxUser } : sandbox;
  }

  private agentSpawn(args: string[], options: ClineRunOptions, dirs: RunDirs, env: NodeJS.ProcessEnv): SandboxedCommand {
    return sandboxedAgent(this.settings.binary, args, env, { workdir: options.workdir, runRoot: dirs.root, readable: options.readable }, this.sandboxFor(options));
  }

  private async makeRunDirs(tempRoot: string): Promise<RunDirs> {
    const root = await mkdtemp(join(tempRoot, 'epitrace-cline-'));
    const dirs = { root, config: join(root, 'config'), data: join(root, 'data'), home: join(root, 'home') };
    await Promise.all([dirs.config, dirs.data, dirs.home].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
    return dirs;
  }

  /** `cline auth` for base-URL providers; see storeProviderKey for why the key is not in argv. */
  private async configureProvider(
    options: ClineRunOptions,
    dirs: RunDirs,
    env: NodeJS.ProcessEnv,
    known: string[],
    startedAt: number,
  ): Promise<(Partial<ClineRunResult> & { outcome: ClineOutcome }) | undefined> {
    const stderr = new TailBuffer(this.settings.stderrTailChars);
    const agent = this.agentSpawn(authArgs(options.provider, dirs.config, dirs.data), options, dirs, env);
    const exit = await runInProcessGroup(agent.command, agent.args, {
      cwd: agent.cwd,
      env: agent.env,
      uid: agent.uid,
      gid: agent.gid,
      deadlineMs: Math.min(AUTH_TIMEOUT_MS, Math.max(0, options.timeoutMs - (Date.now() - startedAt))),
      killGraceMs: this.settings.killGraceMs,
      signal: options.signal,
      onStderr: (chunk) => stderr.push(chunk),
    });
    const stderrTail = stderr.tail(known);
    if (exit.spawnError) return { outcome: 'spawn_failed', error: exit.spawnError, stderrTail };
    if (exit.cancelled) return { outcome: 'cancelled', error: 'cancelled while configuring the provider', stderrTail };
    if (exit.timedOut) return { outcome: 'timed_out', error: 'timed out while configuring the provider (cline auth)', stderrTail };
    if (exit.exitCode !== 0) return { outcome: 'error', exitCode: exit.exitCode, error: `cline auth failed (exit ${exit.exitCode}): ${lastLine(stderrTail)}`, stderrTail };
    try {
      await storeProviderKey(dirs.data, options.provider);
    } catch (err) {
      return { outcome: 'error', error: redactSecrets((err as Error).message, known), stderrTail };
    }
    return undefined;
  }
}

function classify(exit: { exitCode: number | null; timedOut: boolean; cancelled: boolean; spawnError?: string }, runResult?: RunResultLine): ClineOutcome {
  if (exit.spawnError) return 'spawn_failed';
  if (exit.timedOut) return 'timed_out';
  if (exit.cancelled) return 'cancelled';
  if (exit.exitCode === 0 && runResult?.finishReason === 'completed') return 'completed';
  if (runResult?.finishReason === 'aborted') return 'aborted';
  return 'error';
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim());
  return lines[lines.length - 1] ?? '';
}

function describeFailure(
  outcome: ClineOutcome,
  exit: { exitCode: number | null; signal: string | null; spawnError?: string },
  runResult: RunResultLine | undefined,
  stderrTail: string,
  timeoutMs: number,
  known: string[],
): string {
  switch (outcome) {
    case 'spawn_failed':
      return exit.spawnError ?? 'cline could not be started';
    case 'timed_out':
      return `cline did not finish within ${Math.round(timeoutMs / 1000)} s`;
    case 'cancelled':
      return 'cancelled';
    default: {
      const reason = runResult?.finishReason === 'error' && runResult.text ? redactSecrets(runResult.text, known) : lastLine(stderrTail);
      const how = runResult ? `finished with "${runResult.finishReason}"` : `exited with ${exit.signal ?? `code ${exit.exitCode}`} without a result`;
      return truncate(`cline ${how}${reason ? `: ${reason}` : ''}`, 500);
    }
  }
}
