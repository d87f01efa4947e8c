import { constants } from 'node:fs';
import { appendFile, chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, SimpleGit } from 'simple-git';
import { directorySize } from '@epitrace/sandbox';
import { redactSecrets } from '@epitrace/secrets';
import { GIT_ENVIRONMENT_UNSAFE_FLAGS, gitEnvironment } from './git-environment';
import { RepoLocation, parseRepoUrl } from './repo-url';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CheckoutOptions {
  /** A parsed location or a raw repository link. */
  repo: RepoLocation | string;
  /** The decrypted GitHub token; only ever handed to git through its environment. */
  token?: string;
  /** Allow `http://` remotes (local test servers only). */
  allowHttp?: boolean;
  /** Shallow clone of this many commits (history is rarely needed to analyse or fix). */
  depth?: number;
  /** Branch to check out; the remote's default branch when absent. */
  branch?: string;
  /** Deadline for the clone as a whole. */
  timeoutMs?: number;
  /** The clone is stopped and removed once the checkout grows past this many bytes. */
  maxBytes?: number;
  /** Parent directory of the per-checkout temp dirs (the OS temp dir by default). */
  workRoot?: string;
  /** Short text put in the temp dir's name (e.g. a job id), for whoever looks at the disk. */
  label?: string;
  /** Identity for commits made in this checkout. */
  identity?: GitIdentity;
  /** Receives git's progress and error lines, already redacted. */
  onOutput?: (line: string) => void;
  /** Extra values to redact from everything this checkout reports. */
  redact?: string[];
}

export type CheckoutFailureReason = 'auth' | 'not-found' | 'timeout' | 'too-large' | 'git';

export class CheckoutError extends Error {
  constructor(
    message: string,
    readonly reason: CheckoutFailureReason,
  ) {
    super(message);
    this.name = 'CheckoutError';
  }
}

export interface ChangedFile {
  path: string;
  /** Porcelain status letters, e.g. `M`, `A`, `D`, `R`, `??`. */
  status: string;
}

const DEFAULT_GIT_TIMEOUT_MS = 5 * 60_000;

/**
 * A working copy of a repository in its own temp dir, with every git command run under an
 * environment that authenticates without the token ever being written anywhere. Always
 * `dispose()` it (or use `withCheckout`).
 *
 * The working tree is handed to untrusted code (Cline, the repository's own install and test
 * commands), and the service then runs git in it as itself, with the token in git's environment.
 * Whatever that code could plant in the git directory git would obey: hooks, `core.fsmonitor`,
 * filter and diff drivers, `include.path`, `url.<x>.insteadOf`, a symlinked reflog or ref
 * directory that git would write through. So the service's git directory (`gitDir`, the clone's
 * `--separate-git-dir`) sits beside the working tree, mode 0700: it is never lent to the sandbox
 * user nor bound into bubblewrap, and every command of this class names it and the working tree
 * explicitly, so no `.git` found in the tree is ever used. Restoring a snapshot of `.git` after
 * each sandboxed step instead would leave the index, refs, reflogs and objects to defend too.
 *
 * The working tree still has a `.git` directory: a copy made right after the clone, the agent's
 * own (it doubles the git directory's disk use). Cline keeps its checkpoints there
 * (`refs/cline/*`), the agent can run `git diff` or even commit, and the repository's tools that
 * want a repository (husky, setuptools_scm, `jest -o`) find one. Nothing the service does reads
 * it: the service sees what the agent did as changes in the working tree, commits by the agent
 * included, and commits them as its own.
 *
 * Two ways in remain without the git directory, both closed here: a submodule whose directory
 * the sandbox filled with a repository of its own (git status would run git in it, obeying its
 * config: statuses ignore submodules), and configuration outside the repository (system and user
 * config are not read; hooks and fsmonitor are off on every command, see gitEnvironment).
 */
export class RepoCheckout {
  private disposed = false;

  private constructor(
    /** The temp dir owned by this checkout (removed by dispose). */
    readonly root: string,
    /** The working tree: the only part of the checkout that untrusted code may be given. */
    readonly dir: string,
    /** The service's git directory: never hand it, or `root`, to untrusted code. */
    readonly gitDir: string,
    readonly repo: RepoLocation,
    private readonly env: Record<string, string>,
    private readonly secrets: string[],
    private readonly onOutput?: (line: string) => void,
  ) {}

  static async clone(options: CheckoutOptions): Promise<RepoCheckout> {
    const repo = typeof options.repo === 'string' ? parseRepoUrl(options.repo, { allowHttp: options.allowHttp }) : options.repo;
    if (repo.origin.startsWith('http:') && !options.allowHttp) {
      throw new CheckoutError('plain http remotes are not allowed', 'git');
    }
    const parent = options.workRoot ?? tmpdir();
    await mkdir(parent, { recursive: true });
    const label = (options.label ?? 'checkout').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'checkout';
    const root = await mkdtemp(join(parent, `epitrace-${label}-`));
    const env = gitEnvironment({ origin: repo.origin, token: options.token, allowHttp: options.allowHttp, identity: options.identity });
    const secrets = [options.token, ...(options.redact ?? [])].filter((s): s is string => !!s);
    const checkout = new RepoCheckout(root, join(root, 'repo'), join(root, 'git'), repo, env, secrets, options.onOutput);
    try {
      await checkout.runClone(options);
      await checkout.giveTheTreeItsOwnRepository();
      return checkout;
    } catch (err) {
      await checkout.dispose();
      throw err;
    }
  }

  private async runClone(options: CheckoutOptions): Promise<void> {
    const args: string[] = ['--no-tags', '--separate-git-dir', this.gitDir];
    if (options.depth) args.push('--depth', String(options.depth));
    if (options.branch) args.push('--branch', options.branch);
    const controller = new AbortController();
    let stopped = null as CheckoutFailureReason | null;
    const timer = setTimeout(() => {
      stopped = 'timeout';
      controller.abort();
    }, options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS);
    let watching = false;
    const sizeWatch = options.maxBytes
      ? setInterval(() => {
          if (watching) return;
          watching = true;
          directorySize(this.root)
            .then((bytes) => {
              if (bytes > (options.maxBytes as number)) {
                stopped = 'too-large';
                controller.abort();
              }
            })
            .catch(() => undefined)
            .finally(() => (watching = false));
        }, 250)
      : null;
    try {
      this.report(`cloning ${this.repo.webUrl}${options.depth ? ` (depth ${options.depth})` : ''}`);
      await this.git(this.root, controller.signal).clone(this.repo.cloneUrl, 'repo', args);
      if (options.maxBytes && (await directorySize(this.root)) > options.maxBytes) stopped = 'too-large';
    } catch (err) {
      if (!stopped) throw this.toCheckoutError(err);
    } finally {
      clearTimeout(timer);
      if (sizeWatch) clearInterval(sizeWatch);
    }
    if (stopped === 'timeout') throw new CheckoutError(`clone did not finish within ${options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS} ms`, 'timeout');
    if (stopped === 'too-large') throw new CheckoutError(`repository is larger than the ${options.maxBytes} byte limit`, 'too-large');
  }

  /**
   * The clone left a `.git` file pointing at the service's git directory; the tree gets a copy of
   * that directory instead (see the class comment), made before anyone else has touched either.
   */
  private async giveTheTreeItsOwnRepository(): Promise<void> {
    await chmod(this.gitDir, 0o700);
    const agentGitDir = join(this.dir, '.git');
    await rm(agentGitDir, { force: true });
    await cp(this.gitDir, agentGitDir, { recursive: true, mode: constants.COPYFILE_FICLONE });
  }

  /**
   * Runs any git command on the checkout: the service's git directory, the working tree, the
   * checkout's environment; returns stdout. Give `status` (and any diff against the working tree)
   * `--ignore-submodules=all`, as changedFiles does.
   */
  async raw(args: string[], timeoutMs = DEFAULT_GIT_TIMEOUT_MS): Promise<string> {
    this.assertLive();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await this.git(this.dir, controller.signal).raw(['--git-dir', this.gitDir, '--work-tree', this.dir, ...args]);
    } catch (err) {
      if (controller.signal.aborted) throw new CheckoutError(`git ${args[0]} did not finish within ${timeoutMs} ms`, 'timeout');
      throw this.toCheckoutError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  async currentBranch(): Promise<string> {
    return (await this.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  }

  async headSha(): Promise<string> {
    return (await this.raw(['rev-parse', 'HEAD'])).trim();
  }

  /** Asks the remote (not the shallow local copy) whether a branch exists there. */
  async remoteBranchExists(branch: string): Promise<boolean> {
    const out = await this.raw(['ls-remote', '--heads', 'origin', `refs/heads/${branch}`]);
    return out.trim().length > 0;
  }

  /** Creates (or resets) a local branch at the current HEAD and switches to it. */
  async switchToNewBranch(branch: string): Promise<void> {
    await this.raw(['checkout', '-B', branch]);
  }

  /** Keeps a path out of every commit without touching the repository's own .gitignore. */
  async excludeFromCommits(relativePath: string): Promise<void> {
    await mkdir(join(this.gitDir, 'info'), { recursive: true });
    await appendFile(join(this.gitDir, 'info', 'exclude'), `\n/${relativePath.replace(/^\/+/, '')}\n`);
  }

  /**
   * Writes a file of the service's into the working tree, e.g. `.epitrace/context.md`, after
   * untrusted code has had the tree: whatever is at the path's first segment is removed and the
   * directories are made afresh, so nothing is written through a symlink planted there. Safe as
   * long as nobody else can write in the tree meanwhile (the sandbox has given it back).
   */
  async writeFreshFile(relativePath: string, content: string): Promise<void> {
    const segments = relativePath.split('/').filter(Boolean);
    if (relativePath.startsWith('/') || !segments.length || segments.some((s) => s === '.' || s === '..' || s === '.git')) {
      throw new Error(`not a plain path inside the working tree: ${relativePath}`);
    }
    await rm(join(this.dir, segments[0]), { recursive: true, force: true });
    for (let depth = 1; depth < segments.length; depth++) await mkdir(join(this.dir, ...segments.slice(0, depth)));
    await writeFile(join(this.dir, ...segments), content, { flag: 'wx' });
  }

  /**
   * Files changed in the working tree (ignored files excluded, as git sees them). With
   * `collapseUntrackedDirs`, a new directory is one entry (`node_modules/`) instead of every file in it.
   */
  async changedFiles(options: { collapseUntrackedDirs?: boolean } = {}): Promise<ChangedFile[]> {
    const untracked = options.collapseUntrackedDirs ? '--untracked-files=normal' : '--untracked-files=all';
    // --ignore-submodules=all: git status would otherwise run git inside a submodule's directory,
    // which the sandbox can fill with a repository whose config runs a filter (a .gitmodules
    // `ignore` entry beats the diff.ignoreSubmodules setting, the option beats both).
    const out = await this.raw(['status', '--porcelain=v1', '-z', untracked, '--no-renames', '--ignore-submodules=all']);
    return out
      .split('\0')
      .filter((entry) => entry.length > 3)
      .map((entry) => ({ status: entry.slice(0, 2).trim(), path: entry.slice(3) }));
  }

  /** Puts a tracked file back as it was in HEAD (or removes an untracked one from the tree). */
  async discardChanges(paths: string[]): Promise<void> {
    if (!paths.length) return;
    const tracked = new Set((await this.raw(['ls-files', '-z', '--', ...paths])).split('\0').filter(Boolean));
    const restore = paths.filter((p) => tracked.has(p));
    if (restore.length) await this.raw(['checkout', 'HEAD', '--', ...restore]);
    const remove = paths.filter((p) => !tracked.has(p));
    if (remove.length) await this.raw(['clean', '-f', '-q', '--', ...remove]);
  }

  /**
   * Stages everything git does not ignore (or only `paths`, when given) and commits it;
   * null when there was nothing to commit.
   */
  async commitAll(message: string, paths?: string[]): Promise<string | null> {
    if (paths && !paths.length) return null;
    await this.raw(paths ? ['add', '--all', '--', ...paths] : ['add', '--all']);
    const staged = await this.raw(['diff', '--cached', '--name-only']);
    if (!staged.trim()) return null;
    // --no-verify: hooks the repository's tools may have set up (husky) are not the bot's to run
    // (and hooks are off altogether, see gitEnvironment).
    await this.raw(['commit', '--quiet', '--no-verify', '-m', message]);
    return this.headSha();
  }

  /** `git diff --stat` between two revisions (e.g. the base and HEAD). */
  async diffStat(from: string, to = 'HEAD'): Promise<string> {
    return (await this.raw(['diff', '--stat', `${from}..${to}`])).trim();
  }

  /** Pushes HEAD to a branch of the remote. `force` replaces what a previous attempt pushed there. */
  async push(branch: string, options: { force?: boolean; timeoutMs?: number } = {}): Promise<void> {
    this.report(`pushing to ${this.repo.webUrl} branch ${branch}`);
    const args = ['push', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`];
    if (options.force) args.splice(1, 0, '--force');
    await this.raw(args, options.timeoutMs);
  }

  /** Removes the temp dir; safe to call more than once. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Redacts this checkout's secrets (and anything credential-shaped) from a text. */
  redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  private git(baseDir: string, abort: AbortSignal): SimpleGit {
    return simpleGit({ baseDir, abort, unsafe: GIT_ENVIRONMENT_UNSAFE_FLAGS })
      .env(this.env)
      .outputHandler((_command, _stdout, stderr) => {
        let buffered = '';
        stderr.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          const lines = buffered.split(/[\r\n]+/);
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) this.report(line);
        });
        stderr.on('end', () => buffered.trim() && this.report(buffered));
      });
  }

  private report(line: string): void {
    this.onOutput?.(this.redact(line.trim()));
  }

  private toCheckoutError(err: unknown): CheckoutError {
    const message = this.redact(err instanceof Error ? err.message : String(err)).trim().slice(0, 1500);
    if (/authentication failed|could not read username|returned error: 40[13]|terminal prompts disabled|permission .* denied/i.test(message)) {
      return new CheckoutError(`git could not authenticate to ${this.repo.origin}: ${message}`, 'auth');
    }
    if (/repository .*not found|returned error: 404|does not appear to be a git repository/i.test(message)) {
      return new CheckoutError(`repository ${this.repo.webUrl} not found (or the token cannot see it): ${message}`, 'not-found');
    }
    return new CheckoutError(message || 'git failed', 'git');
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('this checkout has been disposed');
  }
}

/** Clones, runs `work`, and always removes the checkout afterwards. */
export async function withCheckout<T>(options: CheckoutOptions, work: (checkout: RepoCheckout) => Promise<T>): Promise<T> {
  const checkout = await RepoCheckout.clone(options);
  try {
    return await work(checkout);
  } finally {
    await checkout.dispose();
  }
}
