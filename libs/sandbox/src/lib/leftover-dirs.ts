import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface LeftoverSweepOptions {
  /** The directory the per-run directories are made in. */
  parent: string;
  /** Only directories whose names start with this (an app's own prefix, never another app's). */
  prefix: string;
  /**
   * Only directories last changed longer ago than this. It must exceed the longest a run can hold
   * its directory, on any process sharing `parent`: those processes' runs are unknown here.
   */
  olderThanMs: number;
  /** Names this process is still using, kept whatever their age. */
  inUse?: (name: string) => boolean;
}

export interface LeftoverSweepResult {
  removed: string[];
  bytes: number;
  /** What could not be looked at or removed, and why. */
  failed: { path: string; reason: string }[];
}

/**
 * Removes the per-run directories (job workspaces, checkouts, Cline run dirs) that a killed process
 * (kill -9, OOM, power loss) left behind: a run removes its own when it ends, but not when it never
 * gets to. Some hold secrets (a Cline run's settings file with the provider key), so they must not
 * pile up. Only real directories (not symlinks) owned by this process's user are touched: one
 * named alike but made by someone else is not ours to remove. A directory's age is that of its
 * mtime, which changes only when its direct entries do (made right after it), so it tells when
 * the run began.
 */
export async function removeLeftoverDirs(options: LeftoverSweepOptions): Promise<LeftoverSweepResult> {
  const result: LeftoverSweepResult = { removed: [], bytes: 0, failed: [] };
  let names: string[];
  try {
    names = (await unlessMissing(readdir(options.parent), [])).filter((name) => name.startsWith(options.prefix));
  } catch (err) {
    result.failed.push({ path: options.parent, reason: `could not be listed: ${(err as Error).message}` });
    return result;
  }
  for (const name of names) {
    if (options.inUse?.(name)) continue;
    const path = join(options.parent, name);
    try {
      const stats = await unlessMissing(lstat(path), null);
      if (!stats?.isDirectory() || stats.uid !== process.getuid?.()) continue;
      if (Date.now() - stats.mtimeMs < options.olderThanMs) continue;
      const bytes = await directorySize(path);
      await rm(path, { recursive: true, force: true, maxRetries: 3 });
      result.removed.push(path);
      result.bytes += bytes;
    } catch (err) {
      result.failed.push({ path, reason: `could not be removed: ${(err as Error).message}` });
    }
  }
  return result;
}

/** What a sweep logs to (a Nest Logger is one). */
export interface SweepLogger {
  warn(message: unknown, ...context: unknown[]): void;
}

/**
 * Runs removeLeftoverDirs at start and then every `intervalMs`, one pass at a time (a sweep asked
 * for during another shares its result), and logs what it removed and what it could not.
 */
export class LeftoverDirSweeper {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<LeftoverSweepResult> | null = null;

  constructor(
    /** `what`: the kind of directory, for the log (e.g. `workspace`). */
    private readonly options: LeftoverSweepOptions & { what: string },
    private readonly logger: SweepLogger,
  ) {}

  start(intervalMs: number): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.current;
  }

  sweep(): Promise<LeftoverSweepResult> {
    this.current ??= removeLeftoverDirs(this.options)
      .then((result) => this.log(result))
      .finally(() => (this.current = null));
    return this.current;
  }

  private log(result: LeftoverSweepResult): LeftoverSweepResult {
    const { what } = this.options;
    for (const { path, reason } of result.failed) this.logger.warn(`sweep of leftover ${what}s: ${path} ${reason}`);
    if (result.removed.length) {
      this.logger.warn(
        { removed: result.removed.length, bytes: result.bytes },
        `removed ${result.removed.length} ${what}(s) left behind by a killed process (${result.bytes} bytes): ${result.removed.join(', ')}`,
      );
    }
    return result;
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

/** `fallback` when the path is gone (the parent not made yet, a run removing its own directory meanwhile). */
async function unlessMissing<T, F>(work: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await work;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
}
