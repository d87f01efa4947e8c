import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@epitrace/queue-contracts';
import { GitHubClientFactory } from '../github/github-client.factory';
import { JobLogFactory } from '../logs/job-log';
import { FixFinishedPublisher } from '../notifications/fix-finished.publisher';
import { ProcessRunner } from '../workspace/process-runner';
import { clineRunnerProvider } from './cline.provider';
import { CodeJobProcessor } from './code-job.processor';
import { FixJobContextLoader } from './fix-job-context.loader';
import { FixJobRunner } from './fix-job.runner';
import { FixJobStore } from './fix-job.store';
import { LeftoverWorkspaceSweeper } from './leftover-workspace.sweeper';
import { sandboxUidPoolProvider } from './sandbox-uid-pool.provider';
import { StaleFixJobSweeper } from './stale-fix-job.sweeper';

/** The auto-fix pipeline: `code_queue` consumer, the runner and what it talks to. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.CODE }, { name: QUEUES.DOWN_MONITORS })],
  providers: [
    CodeJobProcessor,
    FixJobRunner,
    FixJobStore,
    FixJobContextLoader,
    StaleFixJobSweeper,
    LeftoverWorkspaceSweeper,
    FixFinishedPublisher,
    GitHubClientFactory,
    JobLogFactory,
    ProcessRunner,
    clineRunnerProvider,
    sandboxUidPoolProvider,
  ],
  exports: [StaleFixJobSweeper, FixJobStore],
})
export class FixJobsModule {}
