import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { FIX_LINK_SETTINGS, FixLinkService, FixLinkSettings } from '@epitrace/fix-links';
import { APP_CONFIG } from '@epitrace/nest-common';
import { QUEUES } from '@epitrace/queue-contracts';
import type { ApiConfig } from '../config/api.config';
import { CodeJobProducer } from './code-job.producer';
import { FixJobsController } from './fix-jobs.controller';
import { FixJobsService } from './fix-jobs.service';
import { FixStatusController } from './fix-status.controller';
import { FixStatusTokens } from './fix-status-tokens';
import { FixTriggerController } from './fix-trigger.controller';
import { FixTriggerResponder } from './fix-trigger.responder';

/** Auto-fix: the alert-link trigger and its live status page, `POST /incidents/:id/fix` and the fix-job read routes. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.CODE })],
  controllers: [FixTriggerController, FixJobsController, FixStatusController],
  providers: [
    {
      provide: FIX_LINK_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: ApiConfig): FixLinkSettings => ({ secret: config.FIX_LINK_SECRET, publicUrl: config.PUBLIC_URL }),
    },
    FixLinkService,
    FixJobsService,
    CodeJobProducer,
    FixTriggerResponder,
    FixStatusTokens,
  ],
})
export class FixModule {}
