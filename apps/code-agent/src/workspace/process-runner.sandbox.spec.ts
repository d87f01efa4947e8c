import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner, RunCommandOptions } from './process-runner';

const isRoot = process.getuid?.() === 0;
const bwrapWorks = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--die-with-parent', 'true']).status === 0;

/** A fix job's layout: a 0700 temp dir holding the checkout (a git repository) and the tests' HOME. */
function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'proc-sandbox-'));
  const checkout = join(root, 'repo');
  execFileSync('git', ['init', '-q', checkout]);
  writeFileSync(join(checkout, 'package.json'), '{"name":"shop"}\n');
  const home = join(root, 'home');
  mkdirSync(home);
  return { root, checkout, home };
}

/** Every owner uid found in a tree, symlinks included. */
function ownersIn(dir: string): Set<number> {
  const uids = new Set([lstatSync(dir).uid]);
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) uids.add(lstatSync(join(entry.parentPath, entry.name)).uid);
  return uids;
}

describe('ProcessRunner under a sandbox (real child processes)', () => {
  const runner = new ProcessRunner();
  const cleanup: string[] = [];
  afterAll(() => cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function setup(sandbox: RunCommandOptions['sandbox']) {
    const ws = workspace();
    cleanup.push(ws.root);
    const options = (over: Partial<RunCommandOptions> = {}): RunCommandOptions => ({ cwd: ws.checkout, home: ws.home, timeoutMs: 30_000, sandbox, ...over });
    return { ...ws, options };
  }

  /** Has the command write `id -u` into the checkout and HOME, then run `more`; expects it to succeed and returns what it wrote. */
  async function writeIntoCheckoutAndHome(t: ReturnType<typeof setup>, more: string) {
    const result = await runner.run(['sh', '-ec', `id -u > by-the-tests.txt\nid -u > "$HOME/cache"\n${more}\necho done`], t.options());
    expect(result.output.trim()).toBe('done');
    expect(result.exitCode).toBe(0);
    return { checkout: readFileSync(join(t.checkout, 'by-the-tests.txt'), 'utf8'), home: readFileSync(join(t.home, 'cache'), 'utf8') };
  }

  (isRoot ? describe : describe.skip)('in user mode', () => {
    const nobody = { mode: 'user' as const, uid: 65534, gid: 65534 };

    it('runs the command as the sandbox user, able to write into the checkout and HOME, and gives both back afterwards', async () => {
      const t = setup(nobody);
      expect(await writeIntoCheckoutAndHome(t, 'mkdir -p node_modules/dep')).toEqual({ checkout: '65534\n', home: '65534\n' });
      expect(ownersIn(t.checkout)).toEqual(new Set([0]));
      expect(ownersIn(t.home)).toEqual(new Set([0]));
      // The service's own git commands accept the checkout again (git refuses repositories owned by others).
      expect(execFileSync('git', ['-C', t.checkout, 'status', '--porcelain'], { encoding: 'utf8' })).toContain('by-the-tests.txt');
    });

    it('gives the checkout back when the command fails', async () => {
      const t = setup(nobody);
      const result = await runner.run(['sh', '-c', 'echo partial > out.txt; exit 3'], t.options());
      expect(result.exitCode).toBe(3);
      expect(readFileSync(join(t.checkout, 'out.txt'), 'utf8')).toBe('partial\n');
      expect(ownersIn(t.checkout)).toEqual(new Set([0]));
    });

    it('gives the checkout back when the command is stopped by its deadline', async () => {
      const t = setup(nobody);
      const result = await runner.run(['sh', '-c', 'echo started > out.txt; sleep 30'], t.options({ timeoutMs: 1_000 }));
      expect(result.timedOut).toBe(true);
      expect(ownersIn(t.checkout)).toEqual(new Set([0]));
      expect(ownersIn(t.home)).toEqual(new Set([0]));
    });

    it('gives the checkout back when the job is cancelled mid-command', async () => {
      const t = setup(nobody);
      const stop = new AbortController();
      const onLine = (line: string) => line === 'started' && stop.abort();
      const result = await runner.run(['sh', '-c', 'echo started > out.txt; echo started; sleep 30'], t.options({ signal: stop.signal, onLine }));
      expect(result.signal).toBe('SIGKILL');
      expect(readFileSync(join(t.checkout, 'out.txt'), 'utf8')).toBe('started\n');
      expect(ownersIn(t.checkout)).toEqual(new Set([0]));
    });

    it('cannot read the service files outside the workspace', async () => {
      const t = setup(nobody);
      const serviceDir = mkdtempSync(join(tmpdir(), 'proc-service-config-'));
      cleanup.push(serviceDir);
      // World-readable itself: only its 0700 directory keeps it from other users.
      writeFileSync(join(serviceDir, 'service.env'), 'ENCRYPTION_KEY=do-not-read\n', { mode: 0o644 });
      const result = await runner.run(['sh', '-c', `cat ${join(serviceDir, 'service.env')} || echo denied`], t.options());
      expect(result.output).toContain('denied');
      expect(result.output).not.toContain('do-not-read');
    });
  });

  (bwrapWorks ? describe : describe.skip)('in bwrap mode', () => {
    it('lets the command write into the checkout and HOME, and nowhere else on the host', async () => {
      const t = setup({ mode: 'bwrap' });
      const written = await writeIntoCheckoutAndHome(t, '(echo stray > ../stray.txt) 2>/dev/null || true');
      expect(written.checkout).toMatch(/^\d+\n$/);
      expect(written.home).toBe(written.checkout);
      expect(readdirSync(t.root).sort()).toEqual(['home', 'repo']);
    });
  });
});
