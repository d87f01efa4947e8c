import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { lstat, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_CONFIG } from '@epitrace/nest-common';
import { directorySize } from '@epitrace/repo-checkout';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { FIX_WORKSPACE_PREFIX, isWorkspaceOfJob } from '../workspace/fix-workspace-name';
import { FixJobRunner } from './fix-job.runner';

export interface WorkspaceSweepResult {
  removed: string[];
  bytes: number;
}

/**
 * Removes the fix-job workspaces a killed process (kill -9, OOM, power loss) left in the work dir:
 * a job removes its own when it ends, but not when it never gets to. Only directories named like
 * a fix workspace and owned by this service's user are considered, and a running job's never:
 *
 * - this process knows its running jobs and skips their directories;
 * - other replicas may share this work dir (same host, same tmp dir), and their jobs are
 *   unknown here. A directory is only removed once it is older than FIX_WORKSPACE_MAX_AGE_MS,
 *   which the config refuses to set below the longest a job can run (longestFixJobMs): a
 *   workspace that old cannot belong to a job that is still running, on any replica. The age is
 *   that of the directory's mtime, which changes only when its direct entries do (the checkout and
 *   HOME, made right after the clone starts), so it tells when the job began. Replicas sharing a
 *   work dir must share these settings.
 */
@Injectable()
export class LeftoverWorkspaceSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeftoverWorkspaceSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<WorkspaceSweepResult> | null = null;

  constructor(
    private readonly jobs: FixJobRunner,
    @Inject(APP_CONFIG) private readonly config: CodeAgentConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.FIX_WORKSPACE_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.current;
  }

  /** One pass (or the one already under way); returns what it removed, for tests and logs. */
  sweep(): Promise<WorkspaceSweepResult> {
    this.current ??= this.sweepOnce().finally(() => (this.current = null));
    return this.current;
  }

  private async sweepOnce(): Promise<WorkspaceSweepResult> {
    const result: WorkspaceSweepResult = { removed: [], bytes: 0 };
    const workDir = this.config.FIX_WORK_DIR || tmpdir();
    try {
      const names = (await unlessMissing(readdir(workDir), [])).filter((name) => name.startsWith(FIX_WORKSPACE_PREFIX));
      for (const name of names) {
        if (this.jobs.runningJobIds().some((id) => isWorkspaceOfJob(name, id))) continue;
        const path = join(workDir, name);
        try {
          if (!(await this.isLeftOver(path))) continue;
          const bytes = await directorySize(path);
          await rm(path, { recursive: true, force: true, maxRetries: 3 });
          result.removed.push(path);
          result.bytes += bytes;
        } catch (err) {
          this.logger.warn(`could not remove the leftover workspace ${path}: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      this.logger.error(`workspace sweep of ${workDir} failed: ${(err as Error).message}`);
    }
    if (result.removed.length) {
      this.logger.warn(
        { removed: result.removed.length, bytes: result.bytes },
        `removed ${result.removed.length} workspace(s) left behind by a killed process (${result.bytes} bytes): ${result.removed.join(', ')}`,
      );
    }
    return result;
  }

  private async isLeftOver(path: string): Promise<boolean> {
    const stats = await unlessMissing(lstat(path), null);
    if (!stats?.isDirectory()) return false;
    if (stats.uid !== process.getuid?.()) return false;
    return Date.now() - stats.mtimeMs >= this.config.FIX_WORKSPACE_MAX_AGE_MS;
  }
}

/** `fallback` when the path is gone (the work dir not made yet, a job removing its own workspace meanwhile). */
async function unlessMissing<T, F>(work: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await work;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
}
