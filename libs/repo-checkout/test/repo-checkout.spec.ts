import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests use the shared local git server
import { FakeGitServer, startGitHttpServer } from '@epitrace/testing';
import { CheckoutError, RepoCheckout, parseRepoUrl, withCheckout } from '../src';

const TOKEN = 'ghp_checkoutTestToken0123456789abcdef';
const HEADER_VALUE = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');

async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const content = await readFile(full);
        if (needles.some((n) => content.includes(n))) hits.push(full);
      }
    }
  };
  await walk(dir);
  return hits;
}

describe('RepoCheckout against a real git smart-HTTP server', () => {
  let server: FakeGitServer;
  let workRoot: string;
  let repoUrl: string;
  let wrapperDir: string;
  let argvLog: string;
  const originalPath = process.env['PATH'];

  beforeAll(async () => {
    server = await startGitHttpServer({ token: TOKEN });
    repoUrl = await server.createRepo('acme', 'shop', { 'README.md': '# shop\n', 'src/app.js': 'module.exports = 1;\n', '.gitignore': 'node_modules/\n' }, { defaultBranch: 'trunk' });
    workRoot = await mkdtemp(join(tmpdir(), 'checkout-spec-'));
    // A `git` first on PATH that records its argv, to prove what any `ps` would have shown.
    wrapperDir = await mkdtemp(join(tmpdir(), 'git-wrapper-'));
    argvLog = join(wrapperDir, 'argv.log');
    const realGit = '/usr/bin/git';
    await writeFile(join(wrapperDir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec ${realGit} "$@"\n`);
    await chmod(join(wrapperDir, 'git'), 0o755);
    process.env['PATH'] = `${wrapperDir}:${originalPath}`;
  });

  afterAll(async () => {
    process.env['PATH'] = originalPath;
    await server.close();
    await rm(workRoot, { recursive: true, force: true });
    await rm(wrapperDir, { recursive: true, force: true });
  });

  it('clones the default branch with the token while keeping it out of argv, .git/config, the workspace and the output', async () => {
    const output: string[] = [];
    await withCheckout({ repo: repoUrl, token: TOKEN, allowHttp: true, depth: 1, workRoot, label: 'job-1', onOutput: (l) => output.push(l) }, async (checkout) => {
      expect(await checkout.currentBranch()).toBe('trunk');
      expect(await readFile(join(checkout.dir, 'src/app.js'), 'utf8')).toContain('module.exports');
      const gitConfig = await readFile(join(checkout.dir, '.git', 'config'), 'utf8');
      expect(gitConfig).toContain(`${server.url}/acme/shop.git`);
      expect(gitConfig).not.toContain(TOKEN);
      expect(gitConfig).not.toContain(HEADER_VALUE);
      expect(await filesContaining(checkout.root, [TOKEN, HEADER_VALUE])).toEqual([]);
    });
    const argv = await readFile(argvLog, 'utf8');
    expect(argv).toContain('clone');
    expect(argv).not.toContain(TOKEN);
    expect(argv).not.toContain(HEADER_VALUE);
    expect(output.join('\n')).toContain('cloning');
    expect(output.join('\n')).not.toContain(TOKEN);
    expect(server.requests.filter((r) => r.path.startsWith('/acme/shop.git')).every((r) => r.authorized)).toBe(true);
  });

  it("keeps the service's git directory beside the tree, private, and gives the tree a repository of its own", async () => {
    await withCheckout({ repo: repoUrl, token: TOKEN, allowHttp: true, depth: 1, workRoot }, async (checkout) => {
      expect((await stat(checkout.gitDir)).mode & 0o777).toBe(0o700);
      expect(checkout.gitDir.startsWith(checkout.dir)).toBe(false);
      // The tree's .git is a directory (not a pointer to the service's), at the same commit.
      expect((await stat(join(checkout.dir, '.git'))).isDirectory()).toBe(true);
      const treeHead = execFileSync('git', ['-C', checkout.dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
      expect(treeHead).toBe(await checkout.headSha());
      // What happens in the tree's repository stays there.
      execFileSync('git', ['-C', checkout.dir, '-c', 'user.name=agent', '-c', 'user.email=agent@example.test', 'commit', '-q', '--allow-empty', '-m', 'agent']);
      expect(await checkout.headSha()).toBe(treeHead);
      expect(await checkout.changedFiles()).toEqual([]);
    });
  });

  it('writes a file of its own into the tree through no planted symlink, and only inside the tree', async () => {
    await withCheckout({ repo: repoUrl, token: TOKEN, allowHttp: true, depth: 1, workRoot }, async (checkout) => {
      const elsewhere = await mkdtemp(join(tmpdir(), 'checkout-elsewhere-'));
      try {
        await symlink(elsewhere, join(checkout.dir, '.epitrace'));
        await checkout.writeFreshFile('.epitrace/context.md', 'context\n');
        expect(await readFile(join(checkout.dir, '.epitrace', 'context.md'), 'utf8')).toBe('context\n');
        expect(await readdir(elsewhere)).toEqual([]);
        for (const bad of ['../outside.md', '.git/config', '/etc/x', 'a/../../b']) await expect(checkout.writeFreshFile(bad, 'x')).rejects.toThrow(/not a plain path/);
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    });
  });

  it('removes its temp dir when disposed', async () => {
    const checkout = await RepoCheckout.clone({ repo: repoUrl, token: TOKEN, allowHttp: true, workRoot });
    await stat(checkout.dir);
    await checkout.dispose();
    await expect(stat(checkout.root)).rejects.toThrow(/ENOENT/);
    expect(await readdir(workRoot)).toEqual([]);
  });

  it('fails with an auth error and leaves nothing behind when the token is wrong', async () => {
    const wrong = 'ghp_wrongTokenWrongToken0123456789';
    const error = await RepoCheckout.clone({ repo: repoUrl, token: wrong, allowHttp: true, workRoot }).catch((e) => e);
    expect(error).toBeInstanceOf(CheckoutError);
    expect((error as CheckoutError).reason).toBe('auth');
    expect((error as Error).message).not.toContain(wrong);
    expect(await readdir(workRoot)).toEqual([]);
  });

  it('reports a missing repository as not-found', async () => {
    const error = await RepoCheckout.clone({ repo: `${server.url}/acme/ghost`, token: TOKEN, allowHttp: true, workRoot }).catch((e) => e);
    expect(error).toBeInstanceOf(CheckoutError);
    expect((error as CheckoutError).reason).toBe('not-found');
  });

  it('refuses a plain http remote unless allowed', async () => {
    await expect(RepoCheckout.clone({ repo: repoUrl, token: TOKEN, workRoot })).rejects.toThrow(/http/);
    await expect(RepoCheckout.clone({ repo: parseRepoUrl(repoUrl, { allowHttp: true }), token: TOKEN, workRoot })).rejects.toThrow(/http/);
  });

  it('stops and cleans up a clone that grows past the size limit', async () => {
    const error = await RepoCheckout.clone({ repo: repoUrl, token: TOKEN, allowHttp: true, workRoot, maxBytes: 10 }).catch((e) => e);
    expect((error as CheckoutError).reason).toBe('too-large');
    expect(await readdir(workRoot)).toEqual([]);
  });

  it('commits as the configured identity without ignored or excluded files and pushes a new branch with the same credentials', async () => {
    await withCheckout(
      { repo: repoUrl, token: TOKEN, allowHttp: true, depth: 1, workRoot, identity: { name: 'EpiTrace Bot', email: 'bot@epitrace.test' } },
      async (checkout) => {
        await checkout.switchToNewBranch('epitrace/fix-abc12345');
        await writeFile(join(checkout.dir, 'src/app.js'), 'module.exports = 2;\n');
        await writeFile(join(checkout.dir, 'context.md'), 'for the agent only\n');
        await checkout.excludeFromCommits('context.md');
        await writeFile(join(checkout.dir, 'node_modules.txt'), 'x');
        await mkdir(join(checkout.dir, 'node_modules'), { recursive: true });
        await writeFile(join(checkout.dir, 'node_modules', 'dep.js'), 'ignored');
        expect((await checkout.changedFiles()).map((f) => f.path).sort()).toEqual(['node_modules.txt', 'src/app.js']);
        const sha = await checkout.commitAll('fix: return 2');
        expect(sha).toMatch(/^[0-9a-f]{40}$/);
        expect(await checkout.raw(['log', '-1', '--format=%an <%ae>'])).toContain('EpiTrace Bot <bot@epitrace.test>');
        expect(await checkout.remoteBranchExists('epitrace/fix-abc12345')).toBe(false);
        await checkout.push('epitrace/fix-abc12345');
        expect(await checkout.remoteBranchExists('epitrace/fix-abc12345')).toBe(true);
        expect(await checkout.commitAll('nothing')).toBeNull();
      },
    );
    expect((await server.branches('acme', 'shop'))['epitrace/fix-abc12345']).toMatch(/^[0-9a-f]{40}$/);
    expect(await server.readFile('acme', 'shop', 'epitrace/fix-abc12345', 'src/app.js')).toBe('module.exports = 2;\n');
    expect((await server.changedFiles('acme', 'shop', 'trunk', 'epitrace/fix-abc12345')).sort()).toEqual(['node_modules.txt', 'src/app.js']);
    const argv = await readFile(argvLog, 'utf8');
    expect(argv).toContain('push');
    expect(argv).not.toContain(TOKEN);
  });
});
