import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClineRunner } from './cline-runner';
import type { ClineLogEvent, ClineRunOptions } from './cline-run.types';

const FAKE_CLINE = resolve(__dirname, '../../../../tools/fakes/cline');
const API_KEY = 'sk-ant-test-0123456789abcdefghij';
const bwrapWorks = (() => {
  try {
    execFileSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--die-with-parent', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const isRoot = process.getuid?.() === 0;

function setup(scenario: string, extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cline-sandbox-spec-'));
  const workdir = join(dir, 'repo');
  execFileSync('git', ['init', '-q', workdir]);
  writeFileSync(join(workdir, 'README.md'), '# service\n');
  const events: ClineLogEvent[] = [];
  const options = (over: Partial<ClineRunOptions> = {}): ClineRunOptions => ({
    mode: 'plan',
    workdir,
    prompt: 'Analyse the incident',
    timeoutMs: 20_000,
    provider: { provider: 'anthropic', model: 'claude-sonnet-4-5', apiKey: API_KEY },
    env: { FAKE_CLINE_SCENARIO: scenario, ...extraEnv },
    onEvent: (e) => events.push(e),
    ...over,
  });
  return { dir, workdir, events, options };
}

/** A stand-in agent that reports who it runs as and what it can see, as a run_result. */
function probeAgent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cline-probe-agent-'));
  chmodSync(dir, 0o755);
  const script = join(dir, 'probe-cline');
  writeFileSync(
    script,
    `#!/bin/sh
secret=$(cat "$PROBE_SECRET" 2>/dev/null || echo unreadable)
printf '{"type":"run_result","finishReason":"completed","text":"uid=%s secret=%s home=%s"}\\n' "$(id -u)" "$secret" "$HOME"
`,
    { mode: 0o755 },
  );
  return script;
}

function secretFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cline-sandbox-secret-'));
  const file = join(dir, 'service.env');
  writeFileSync(file, 'top-secret-value', { mode: 0o600 });
  return file;
}

(bwrapWorks ? describe : describe.skip)('ClineRunner in the bwrap sandbox', () => {
  const runner = new ClineRunner({ binary: FAKE_CLINE, killGraceMs: 500, sandbox: { mode: 'bwrap' } });

  it('completes a plan-mode run inside bubblewrap', async () => {
    const t = setup('success');
    const result = await runner.run(t.options());
    expect(result.outcome).toBe('completed');
    expect(result.text).toContain('"root_cause"');
  });

  it('lets an act-mode run edit the checkout', async () => {
    const t = setup('edit', { FAKE_CLINE_EDIT_FILE: 'src/fix.js', FAKE_CLINE_EDIT_CONTENT: 'module.exports = 1;\n' });
    const result = await runner.run(t.options({ mode: 'act' }));
    expect(result.outcome).toBe('completed');
    expect(readFileSync(join(t.workdir, 'src/fix.js'), 'utf8')).toBe('module.exports = 1;\n');
  });

  it('keeps writes outside the checkout in the sandbox, never on the host', async () => {
    const t = setup('edit', { FAKE_CLINE_EDIT_FILE: '../outside.txt' });
    await runner.run(t.options({ mode: 'act' }));
    expect(existsSync(join(t.dir, 'outside.txt'))).toBe(false);
  });

  it('hides files outside the checkout, such as the service secrets in another directory', async () => {
    const t = setup('success');
    const secret = secretFile();
    const probe = new ClineRunner({ binary: probeAgent(), sandbox: { mode: 'bwrap' } });
    const result = await probe.run(t.options({ env: { PROBE_SECRET: secret } }));
    expect(result.outcome).toBe('completed');
    expect(result.text).toContain('secret=unreadable');
    expect(result.text).not.toContain('top-secret-value');
  });

  it('shows the agent the files outside the checkout it is given, read-only', async () => {
    const t = setup('success');
    const context = secretFile();
    const probe = new ClineRunner({ binary: probeAgent(), sandbox: { mode: 'bwrap' } });
    const result = await probe.run(t.options({ env: { PROBE_SECRET: context }, readable: [context] }));
    expect(result.text).toContain('secret=top-secret-value');
  });

  it('still stops an agent that ignores SIGINT at the deadline', async () => {
    const t = setup('hang-hard');
    const result = await runner.run(t.options({ timeoutMs: 1_000 }));
    expect(result.outcome).toBe('timed_out');
    expect(result.error).toMatch(/did not finish within/);
  });

  it('runs cline auth in the sandbox too for base-URL providers', async () => {
    const t = setup('success');
    const result = await runner.run(t.options({ provider: { provider: 'openai-compatible', model: 'local-model', apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9/v1' } }));
    expect(result.outcome).toBe('completed');
  });
});

(isRoot ? describe : describe.skip)('ClineRunner as an unprivileged user', () => {
  it('runs the agent as the configured uid and hands the checkout back to its owner afterwards', async () => {
    const t = setup('success');
    const secret = secretFile();
    const probe = new ClineRunner({ binary: probeAgent(), sandbox: { mode: 'user', uid: 65534, gid: 65534 } });
    const result = await probe.run(t.options({ env: { PROBE_SECRET: secret } }));
    expect(result.outcome).toBe('completed');
    expect(result.text).toContain('uid=65534');
    expect(result.text).toContain('secret=unreadable');
    expect(statSync(t.workdir).uid).toBe(0);
  });

  it('lets that user read the files outside the checkout it is given, and gives them back', async () => {
    const t = setup('success');
    const context = secretFile();
    const probe = new ClineRunner({ binary: probeAgent(), sandbox: { mode: 'user', uid: 65534, gid: 65534 } });
    const result = await probe.run(t.options({ env: { PROBE_SECRET: context }, readable: [context] }));
    expect(result.text).toContain('uid=65534 secret=top-secret-value');
    expect(statSync(context).uid).toBe(0);
  });

  it('lets an act-mode run edit the checkout as that user', async () => {
    const t = setup('edit', { FAKE_CLINE_EDIT_FILE: 'src/fix.js', FAKE_CLINE_EDIT_CONTENT: 'module.exports = 2;\n' });
    const runner = new ClineRunner({ binary: FAKE_CLINE, sandbox: { mode: 'user', uid: 65534, gid: 65534 } });
    const result = await runner.run(t.options({ mode: 'act' }));
    expect(result.outcome).toBe('completed');
    expect(readFileSync(join(t.workdir, 'src/fix.js'), 'utf8')).toBe('module.exports = 2;\n');
    expect(statSync(join(t.workdir, 'src/fix.js')).uid).toBe(0);
  });

  it('runs as the uid and gid the run brings instead of the runner\'s own', async () => {
    const t = setup('success');
    const probe = new ClineRunner({ binary: probeAgent(), sandbox: { mode: 'user' } });
    const result = await probe.run(t.options({ sandboxUser: { uid: 61_201, gid: 61_201 } }));
    expect(result.text).toContain('uid=61201');
    expect(statSync(t.workdir).uid).toBe(0);
  });

  it('refuses to run a user sandbox without a uid and gid', async () => {
    const t = setup('success');
    const result = await new ClineRunner({ binary: FAKE_CLINE, sandbox: { mode: 'user' } }).run(t.options());
    expect(result).toMatchObject({ outcome: 'spawn_failed', error: expect.stringMatching(/needs a uid and a gid/) });
  });
});

describe('ClineRunner sandbox check at boot', () => {
  it('refuses to start in bwrap mode when bubblewrap is missing, naming the package to install', async () => {
    const runner = new ClineRunner({ binary: FAKE_CLINE, sandbox: { mode: 'bwrap', bwrapPath: '/nonexistent/bwrap' } });
    await expect(runner.onModuleInit()).rejects.toThrow(/not installed \(Debian: apt-get install bubblewrap\)/);
  });

  (bwrapWorks ? it : it.skip)('starts in bwrap mode where bubblewrap works', async () => {
    await expect(new ClineRunner({ binary: FAKE_CLINE, sandbox: { mode: 'bwrap' } }).onModuleInit()).resolves.toBeUndefined();
  });
});
