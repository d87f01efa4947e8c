import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { tmpdir } from 'node:os';
import { APP_CONFIG } from '@epitrace/nest-common';
import { LeftoverDirSweeper, LeftoverSweepResult } from '@epitrace/sandbox';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { FIX_WORKSPACE_PREFIX, isWorkspaceOfJob } from '../workspace/fix-workspace-name';
import { FixJobRunner } from './fix-job.runner';

/**
 * Removes the fix-job workspaces a killed process (kill -9, OOM, power loss) left in the work dir:
 * a job removes its own when it ends, but not when it never gets to. A workspace also holds the
 * job's Cline run directory, with the provider key in it for base-URL providers. Only directories
 * named like a fix workspace and owned by this service's user are considered, and a running job's
 * never (see removeLeftoverDirs):
 *
 * - this process knows its running jobs and skips their directories;
 * - other replicas may share this work dir (same host, same tmp dir), and their jobs are
 *   unknown here. A directory is only removed once it is older than FIX_WORKSPACE_MAX_AGE_MS,
 *   which the config refuses to set below the longest a job can run (longestFixJobMs): a
 *   workspace that old cannot belong to a job that is still running, on any replica. The age is
 *   that of the directory's mtime, which changes only when its direct entries do (the checkout,
 *   HOME, a Cline run's directory), so it is never earlier than the job's start. Replicas sharing
 *   a work dir must share these settings.
 */
@Injectable()
export class LeftoverWorkspaceSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: LeftoverDirSweeper;

  constructor(
    private readonly jobs: FixJobRunner,
    @Inject(APP_CONFIG) private readonly config: CodeAgentConfig,
  ) {
    this.sweeper = new LeftoverDirSweeper(
      {
        what: 'workspace',
        parent: config.FIX_WORK_DIR || tmpdir(),
        prefix: FIX_WORKSPACE_PREFIX,
        olderThanMs: config.FIX_WORKSPACE_MAX_AGE_MS,
        inUse: (name) => this.jobs.runningJobIds().some((id) => isWorkspaceOfJob(name, id)),
      },
      new Logger(LeftoverWorkspaceSweeper.name),
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start(this.config.FIX_WORKSPACE_SWEEP_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }

  /** One pass (or the one already under way); returns what it removed, for tests and logs. */
  sweep(): Promise<LeftoverSweepResult> {
    return this.sweeper.sweep();
  }
}
