import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { ClineRunnerModule } from '@epitrace/cline-runner';
import { FixLinksModule } from '@epitrace/fix-links';
import { QUEUES } from '@epitrace/queue-contracts';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';
import { AlertOutbox } from '../alerts/alert-outbox.service';
import { AlertRecipients } from '../alerts/alert-recipients';
import { AlertRetrySweep } from '../alerts/alert-retry.sweep';
import { WebhookSender } from '../alerts/webhook-sender';
import { IncidentAnalyzer } from '../analysis/incident-analyzer.service';
import { sandboxUidPoolProvider } from '../analysis/sandbox-uid-pool.provider';
import { IncidentEventsProcessor } from './incident-events.processor';
import { IncidentEventsService } from './incident-events.service';

@Module({})
export class IncidentsModule {
  static forRoot(config: AnalysisAgentConfig): DynamicModule {
    return {
      module: IncidentsModule,
      imports: [
        BullModule.registerQueue({ name: QUEUES.DOWN_MONITORS }),
        ClineRunnerModule.forRoot({
          binary: config.CLINE_BIN,
          tempRoot: config.ANALYSIS_WORK_DIR || undefined,
          // In user mode each run brings the uid its analysis leased (SandboxUidPool).
          sandbox: { mode: config.SANDBOX_MODE },
        }),
        FixLinksModule.forRoot({ secret: config.FIX_LINK_SECRET, publicUrl: config.PUBLIC_URL, ttlMs: config.FIX_LINK_TTL_MS }),
      ],
      providers: [WebhookSender, AlertRecipients, AlertOutbox, AlertRetrySweep, IncidentAnalyzer, IncidentEventsService, IncidentEventsProcessor, sandboxUidPoolProvider],
    };
  }
}
