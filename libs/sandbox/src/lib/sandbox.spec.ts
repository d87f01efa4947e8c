import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxOptions, sandboxCommand, scrubbedEnv } from './sandbox';

function run(script: string, options: Omit<SandboxOptions, 'env'> & { env?: Record<string, string> }) {
  const spec = sandboxCommand('/bin/sh', ['-c', script], { ...options, env: options.env ?? scrubbedEnv({ HOME: options.workdir }) });
  const result = spawnSync(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, uid: spec.uid, gid: spec.gid, encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('sandboxCommand', () => {
  let workdir: string;
  let outside: string;
  const secretFile = () => join(outside, 'service.env');

  beforeEach(() => {
    workdir = mkdtempSync(join(tmpdir(), 'sbx-job-'));
    chmodSync(workdir, 0o777);
    outside = mkdtempSync(join(tmpdir(), 'sbx-service-'));
    writeFileSync(secretFile(), 'ENCRYPTION_KEY=do-not-read', { mode: 0o600 });
  });

  afterEach(() => {
    rmSync(workdir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('never passes the service environment on, in any mode', () => {
    const env = scrubbedEnv({ HOME: '/tmp/x' }, { PATH: '/usr/bin:/bin', JWT_SECRET: 's', DATABASE_URL: 'postgres://', LANG: 'C.UTF-8' });
    expect(env).toEqual({ PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/tmp/x' });
    process.env['EPITRACE_TEST_SECRET'] = 'leaked-value';
    try {
      expect(run('env', { mode: 'none', workdir }).out).not.toContain('leaked-value');
    } finally {
      delete process.env['EPITRACE_TEST_SECRET'];
    }
  });

  const isRoot = process.getuid?.() === 0;
  (isRoot ? it : it.skip)('runs as an unprivileged user in "user" mode, unable to read the service files', () => {
    const result = run(`id -u; cat ${secretFile()} || echo denied; echo ok > made-by-agent`, { mode: 'user', workdir, uid: 65534, gid: 65534 });
    expect(result.out).toMatch(/^65534/);
    expect(result.out).toContain('denied');
    expect(result.out).not.toContain('do-not-read');
    expect(readFileSync(join(workdir, 'made-by-agent'), 'utf8')).toBe('ok\n');
  });

  const hasBwrap = spawnSync('bwrap', ['--version']).status === 0;
  (hasBwrap ? it : it.skip)('in "bwrap" mode only the workspace is writable and the service directories are invisible', () => {
    const result = run(
      [
        'echo ok > made-by-agent',
        `cat ${secretFile()} 2>/dev/null || echo service-invisible`,
        `ls ${process.cwd()} >/dev/null 2>&1 || echo repo-invisible`,
        'touch /usr/evil 2>/dev/null || echo system-read-only',
        'echo scratch > /tmp/scratch && echo tmp-private',
      ].join('; '),
      { mode: 'bwrap', workdir },
    );
    expect(result.status).toBe(0);
    expect(result.out).toContain('service-invisible');
    expect(result.out).toContain('repo-invisible');
    expect(result.out).toContain('system-read-only');
    expect(result.out).toContain('tmp-private');
    expect(readFileSync(join(workdir, 'made-by-agent'), 'utf8')).toBe('ok\n');
  });

  (hasBwrap ? it : it.skip)('in "bwrap" mode a job sees neither the workspace nor the processes of another job running at the same time', async () => {
    const other = mkdtempSync(join(tmpdir(), 'sbx-other-job-'));
    writeFileSync(join(other, 'checkout.txt'), 'the other job');
    const spec = sandboxCommand('/bin/sh', ['-c', 'echo started; exec sleep 31'], { mode: 'bwrap', workdir: other, env: scrubbedEnv({ HOME: other }) });
    const running = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((resolve) => running.stdout.once('data', resolve));
      // ps must see itself (the listing works) but not the other job's sleep.
      const result = run(
        `cat ${join(other, 'checkout.txt')} 2>/dev/null || echo workspace-invisible; ps -eo args > /tmp/ps; grep -c '^ps -eo args' /tmp/ps; grep -c '[s]leep 31' /tmp/ps || true`,
        { mode: 'bwrap', workdir },
      );
      expect(result.out).toBe('workspace-invisible\n1\n0\n');
    } finally {
      running.kill('SIGKILL');
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('bwrap mode exposes Node.js so the repository tests and the agent can run', () => {
    const spec = sandboxCommand(process.execPath, ['-e', 'console.log(1+1)'], { mode: 'bwrap', workdir, env: scrubbedEnv({}) });
    expect(spec.command).toBe('bwrap');
    expect(spec.args.slice(-3)).toEqual([process.execPath, '-e', 'console.log(1+1)']);
    expect(spec.args).toEqual(expect.arrayContaining(['--bind', workdir, workdir, '--unshare-pid', '--die-with-parent']));
    if (hasBwrap) expect(spawnSync(spec.command, spec.args, { env: spec.env, encoding: 'utf8' }).stdout.trim()).toBe('2');
  });
});
