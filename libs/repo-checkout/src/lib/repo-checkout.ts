import { appendFile, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, SimpleGit } from 'simple-git';
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
 */
export class RepoCheckout {
  private disposed = false;

  private constructor(
    /** The temp dir owned by this checkout (removed by dispose). */
    readonly root: string,
    /** The working tree. */
    readonly dir: string,
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
    const checkout = new RepoCheckout(root, join(root, 'repo'), repo, env, secrets, options.onOutput);
    try {
      await checkout.runClone(options);
      return checkout;
    } catch (err) {
      await checkout.dispose();
      throw err;
    }
  }

  private async runClone(options: CheckoutOptions): Promise<void> {
    const args: string[] = ['--no-tags'];
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
          directorySize(this.dir)
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
      if (options.maxBytes && (await directorySize(this.dir)) > options.maxBytes) stopped = 'too-large';
    } catch (err) {
      if (!stopped) throw this.toCheckoutError(err);
    } finally {
      clearTimeout(timer);
      if (sizeWatch) clearInterval(sizeWatch);
    }
    if (stopped === 'timeout') throw new CheckoutError(`clone did not finish within ${options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS} ms`, 'timeout');
    if (stopped === 'too-large') throw new CheckoutError(`repository is larger than the ${options.maxBytes} byte limit`, 'too-large');
  }

  /** Runs any git command in the working tree, with the checkout's environment; returns stdout. */
  async raw(args: string[], timeoutMs = DEFAULT_GIT_TIMEOUT_MS): Promise<string> {
    this.assertLive();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await this.git(this.dir, controller.signal).raw(args);
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

  /**
   * Moves HEAD back to `commit` while keeping every change in the working tree (unstaged), so
   * commits someone else made in the checkout become plain changes again.
   */
  async uncommitTo(commit: string): Promise<void> {
    await this.raw(['reset', '--mixed', '--quiet', commit]);
  }

  /** Keeps a path out of every commit without touching the repository's own .gitignore. */
  async excludeFromCommits(relativePath: string): Promise<void> {
    await mkdir(join(this.dir, '.git', 'info'), { recursive: true });
    await appendFile(join(this.dir, '.git', 'info', 'exclude'), `\n/${relativePath.replace(/^\/+/, '')}\n`);
  }

  /**
   * Files changed in the working tree (ignored files excluded, as git sees them). With
   * `collapseUntrackedDirs`, a new directory is one entry (`node_modules/`) instead of every file in it.
   */
  async changedFiles(options: { collapseUntrackedDirs?: boolean } = {}): Promise<ChangedFile[]> {
    const untracked = options.collapseUntrackedDirs ? '--untracked-files=normal' : '--untracked-files=all';
    const out = await this.raw(['status', '--porcelain=v1', '-z', untracked, '--no-renames']);
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
    // --no-verify: hooks an install step may have set up (husky) are not the bot's to run.
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

/** Bytes of the regular files under `path`; symlinks are not followed, unreadable parts count as empty. */
export async function directorySize(path: string): Promise<number> {
  let total = 0;
  const stack = [path];
  while (stack.length) {
    const current = stack.pop() as string;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) total += (await lstat(full).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}
