import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner } from './process-runner';

describe('ProcessRunner (real child processes)', () => {
  const runner = new ProcessRunner();
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'proc-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const base = () => ({ cwd: dir, home: dir, timeoutMs: 30_000, sandbox: { mode: 'none' as const } });

  it('reports the exit code and both output streams, line by line', async () => {
    const lines: string[] = [];
    const result = await runner.run(['node', '-e', 'console.log("out"); console.error("err"); process.exit(3)'], { ...base(), onLine: (l) => lines.push(l) });
    expect(result.exitCode).toBe(3);
    expect(result.timedOut).toBe(false);
    expect(result.output).toContain('out');
    expect(lines.sort()).toEqual(['err', 'out']);
  });

  it('kills the whole process group when the deadline passes', async () => {
    const result = await runner.run(['sh', '-c', 'sleep 30 & sleep 30; echo never'], { ...base(), timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.output).not.toContain('never');
  });

  it('gives the child none of the service environment', async () => {
    process.env['EPITRACE_TEST_SECRET'] = 'do-not-leak-me';
    try {
      const result = await runner.run(['node', '-e', 'console.log(JSON.stringify(process.env))'], base());
      expect(result.output).not.toContain('do-not-leak-me');
      expect(JSON.parse(result.output.trim())).toMatchObject({ CI: 'true', HOME: dir });
    } finally {
      delete process.env['EPITRACE_TEST_SECRET'];
    }
  });

  it('reports a command that does not exist instead of throwing', async () => {
    const result = await runner.run(['definitely-not-a-command-xyz'], base());
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toMatch(/could not run|ENOENT/);
  });
});
