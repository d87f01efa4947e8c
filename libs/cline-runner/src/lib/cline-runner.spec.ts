import { metricsRegistry } from '@epitrace/metrics';
import { waitFor } from '@epitrace/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClineRunner } from './cline-runner';
import type { ClineLogEvent, ClineRunOptions } from './cline-run.types';

const FAKE_CLINE = resolve(__dirname, '../../../../tools/fakes/cline');
const API_KEY = 'sk-ant-test-0123456789abcdefghij';

interface Recorded {
  argv: string[];
  cwd: string;
  envNames: string[];
  home: string;
}

function setup(scenario: string, extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cline-runner-spec-'));
  const workdir = join(dir, 'repo');
  execFileSync('git', ['init', '-q', workdir]);
  writeFileSync(join(workdir, 'README.md'), '# service\n');
  execFileSync('git', ['-C', workdir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-am', 'init', '--allow-empty']);
  execFileSync('git', ['-C', workdir, 'add', '.']);
  execFileSync('git', ['-C', workdir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'readme']);
  const record = join(dir, 'record.ndjson');
  const events: ClineLogEvent[] = [];
  const options = (over: Partial<ClineRunOptions> = {}): ClineRunOptions => ({
    mode: 'plan',
    workdir,
    prompt: 'Analyse the incident described in /tmp/context.md and answer in JSON',
    timeoutMs: 20_000,
    provider: { provider: 'anthropic', model: 'claude-sonnet-4-5', apiKey: API_KEY },
    env: { FAKE_CLINE_SCENARIO: scenario, FAKE_CLINE_RECORD: record, ...extraEnv },
    onEvent: (e) => events.push(e),
    ...over,
  });
  const recorded = (): Recorded[] =>
    readFileSync(record, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Recorded);
  return { dir, workdir, events, options, recorded };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed process that nobody has reaped yet is a zombie: it is dead, only its entry remains.
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('ClineRunner with a fake cline executable', () => {
  const runner = new ClineRunner({ binary: FAKE_CLINE, killGraceMs: 500 });

  it('runs a plan-mode analysis headless and returns the final answer with structured events', async () => {
    const t = setup('success');
    const result = await runner.run(t.options());
    expect(result.outcome).toBe('completed');
    expect(result.exitCode).toBe(0);
    expect(result.text).toContain('"root_cause"');
    const [call] = t.recorded();
    expect(call.argv.slice(0, 2)).toEqual(['--json', '--plan']);
    expect(call.argv).toEqual(expect.arrayContaining(['-c', t.workdir, '-P', 'anthropic', '-m', 'claude-sonnet-4-5']));
    expect(call.argv[call.argv.length - 2]).toBe('--');
    expect(call.argv[call.argv.length - 1]).toBe('Analyse the incident described in /tmp/context.md and answer in JSON');
    expect(t.events.some((e) => e.tool === 'read_files')).toBe(true);
    expect(t.events.some((e) => e.kind === 'run_result')).toBe(true);
    expect(result.eventCount).toBeGreaterThan(3);
  });

  it('passes the provider key only through the environment and gives the agent a private HOME and config', async () => {
    const t = setup('success');
    process.env['EPITRACE_SPEC_SECRET'] = 'must-not-leak';
    try {
      await runner.run(t.options());
    } finally {
      delete process.env['EPITRACE_SPEC_SECRET'];
    }
    const [call] = t.recorded();
    expect(call.argv.join(' ')).not.toContain(API_KEY);
    expect(call.argv).not.toContain('-k');
    expect(call.envNames).toEqual(expect.arrayContaining(['ANTHROPIC_API_KEY', 'CLINE_NO_AUTO_UPDATE']));
    expect(call.envNames).not.toContain('EPITRACE_SPEC_SECRET');
    const configDir = call.argv[call.argv.indexOf('--config') + 1];
    const dataDir = call.argv[call.argv.indexOf('--data-dir') + 1];
    expect(call.home.startsWith(tmpdir())).toBe(true);
    expect(configDir.startsWith(tmpdir()) && dataDir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(configDir) || existsSync(dataDir) || existsSync(call.home)).toBe(false);
  });

  it('configures an OpenAI-compatible base URL with cline auth without putting the key in any argv', async () => {
    const t = setup('success');
    const result = await runner.run(
      t.options({ provider: { provider: 'openai-compatible', model: 'local-model', apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9/v1' } }),
    );
    expect(result.outcome).toBe('completed');
    const [auth, run] = t.recorded();
    expect(auth.argv.slice(0, 3)).toEqual(['auth', '-p', 'openai-compatible']);
    expect(auth.argv).toEqual(expect.arrayContaining(['-b', 'http://127.0.0.1:9/v1', '-m', 'local-model']));
    for (const call of [auth, run]) expect(call.argv.join(' ')).not.toContain(API_KEY);
    expect(auth.argv[auth.argv.indexOf('--data-dir') + 1]).toBe(run.argv[run.argv.indexOf('--data-dir') + 1]);
  });

  it('lets act mode edit the checkout and runs no git of its own in it, whose hooks the agent may have set', async () => {
    const t = setup('edit', { FAKE_CLINE_EDIT_FILE: 'src/fix.js', FAKE_CLINE_EDIT_CONTENT: 'module.exports = 1;\n' });
    // A hook that records whose process ran it: the agent's environment names its scenario, the runner's would not.
    const ranBy = join(t.dir, 'reference-transaction-ran-by');
    writeFileSync(join(t.workdir, '.git', 'hooks', 'reference-transaction'), `#!/bin/sh\necho "\${FAKE_CLINE_SCENARIO:-not-the-agent}" >> ${ranBy}\n`, { mode: 0o755 });
    const result = await runner.run(t.options({ mode: 'act' }));
    expect(result.outcome).toBe('completed');
    expect(t.recorded()[0].argv).toContain('--yolo');
    expect(readFileSync(join(t.workdir, 'src/fix.js'), 'utf8')).toBe('module.exports = 1;\n');
    expect(t.events.some((e) => e.tool === 'editor')).toBe(true);
    // The checkpoint stays in the agent's repository (RepoCheckout never pushes from it).
    expect(execFileSync('git', ['-C', t.workdir, 'for-each-ref', '--format=%(refname)', 'refs/cline/'], { encoding: 'utf8' })).toBe('refs/cline/checkpoints/fake-1\n');
    expect(new Set(readFileSync(ranBy, 'utf8').trim().split('\n'))).toEqual(new Set(['edit']));
  });

  it('makes the run directory in the tempRoot the run names, and removes it afterwards', async () => {
    const t = setup('success');
    const workspace = mkdtempSync(join(tmpdir(), 'cline-runner-workspace-'));
    await runner.run(t.options({ tempRoot: workspace }));
    const [call] = t.recorded();
    expect(call.home.startsWith(`${workspace}/epitrace-cline-`)).toBe(true);
    expect(readdirSync(workspace)).toEqual([]);
  });

  it('reports an agent error with its reason and an ANSI-free stderr tail', async () => {
    const t = setup('error');
    const result = await runner.run(t.options());
    expect(result.outcome).toBe('error');
    expect(result.exitCode).toBe(1);
    expect(result.error).toContain('401 Unauthorized');
    expect(result.stderrTail).toContain('Error: Provider returned 401 Unauthorized');
    expect(result.stderrTail).not.toContain('\u001b[');
  });

  it('interrupts a run that ignores SIGTERM at the deadline, killing its whole process group', async () => {
    const t = setup('hang', { FAKE_CLINE_PID_FILE: '' });
    const pidFile = join(t.dir, 'grandchild.pid');
    const result = await runner.run(t.options({ timeoutMs: 1_500, env: { ...t.options().env, FAKE_CLINE_PID_FILE: pidFile } }));
    expect(result.outcome).toBe('timed_out');
    expect(result.error).toMatch(/did not finish within/);
    expect(t.events.some((e) => e.kind === 'runner' && e.message.includes('SIGINT'))).toBe(true);
    // SIGKILL is delivered at once but a loaded machine may take a moment to tear the process down.
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(grandchild), { timeoutMs: 5_000, what: `process ${grandchild} to be gone` });
  });

  it('kills a run that ignores SIGINT too after the grace period', async () => {
    const t = setup('hang-hard');
    const result = await runner.run(t.options({ timeoutMs: 1_000 }));
    expect(result.outcome).toBe('timed_out');
    expect(result.signal).toBe('SIGKILL');
    expect(t.events.some((e) => e.kind === 'runner' && e.message.includes('SIGKILL'))).toBe(true);
  });

  it('cancels a run when its AbortSignal fires', async () => {
    const t = setup('hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 800);
    const result = await runner.run(t.options({ signal: controller.signal }));
    expect(result.outcome).toBe('cancelled');
  });

  it('treats output without a run_result as an error and keeps unparsable lines as events', async () => {
    const t = setup('garbage');
    const result = await runner.run(t.options());
    expect(result.outcome).toBe('error');
    expect(result.exitCode).toBe(0);
    expect(result.error).toContain('without a result');
    expect(t.events.filter((e) => e.kind === 'unparsed').length).toBeGreaterThan(0);
  });

  it('fails clearly when no provider key is configured', async () => {
    const t = setup('success');
    const result = await runner.run(t.options({ provider: { provider: 'anthropic', model: 'claude-sonnet-4-5' } }));
    expect(result.outcome).toBe('error');
    expect(result.error).toMatch(/No API key configured/);
  });

  it('redacts the provider key and credential-shaped strings from stderr and events', async () => {
    const t = setup('error', { FAKE_CLINE_STDERR: `debug: using key ${API_KEY} and ghp_abcdefghijklmnopqrstuvwxyz0123` });
    const result = await runner.run(t.options());
    expect(result.stderrTail).toContain('[REDACTED]');
    expect(result.stderrTail).not.toContain(API_KEY);
    expect(JSON.stringify(t.events)).not.toContain(API_KEY);
    expect(JSON.stringify(t.events)).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123');
  });

  it('reports spawn_failed when the binary does not exist', async () => {
    const t = setup('success');
    const missing = new ClineRunner({ binary: join(t.dir, 'no-such-cline') });
    const result = await missing.run(t.options());
    expect(result.outcome).toBe('spawn_failed');
    expect(result.error).toContain('ENOENT');
  });
});

describe('ClineRunner shutdown', () => {
  it('kills runs still in progress when the application shuts down', async () => {
    const runner = new ClineRunner({ binary: FAKE_CLINE, killGraceMs: 60_000 });
    const t = setup('hang-hard');
    let started: () => void = () => undefined;
    const agentStarted = new Promise<void>((r) => (started = r));
    const running = runner.run(t.options({ timeoutMs: 600_000, onEvent: (e) => e.kind === 'agent_event' && started() }));
    await agentStarted;
    runner.onApplicationShutdown();
    const result = await running;
    expect(result.signal).toBe('SIGKILL');
    expect(result.outcome).toBe('error');
  });
});

describe('ClineRunner metrics', () => {
  it('counts every run by mode and outcome and records its duration', async () => {
    const value = async (outcome: string) => {
      const metric = (await metricsRegistry.getSingleMetric('epitrace_cline_runs_total')?.get())?.values ?? [];
      return metric.find((v) => v.labels['mode'] === 'plan' && v.labels['outcome'] === outcome)?.value ?? 0;
    };
    const before = await value('spawn_failed');
    const runner = new ClineRunner({ binary: '/nonexistent/cline' });
    const workdir = mkdtempSync(join(tmpdir(), 'cline-metrics-'));
    const result = await runner.run({ mode: 'plan', workdir, prompt: 'analyse', timeoutMs: 5_000, provider: { provider: 'anthropic', model: 'm' } });
    expect(result.outcome).toBe('spawn_failed');
    expect(await value('spawn_failed')).toBe(before + 1);
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/epitrace_cline_run_duration_seconds_count\{[^}]*mode="plan"[^}]*outcome="spawn_failed"[^}]*\} [1-9]/);
  });
});
