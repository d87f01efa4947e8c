import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG } from '@epitrace/nest-common';
import { JOBS, parseJobOrFail, QUEUES } from '@epitrace/queue-contracts';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';
import { EventResult, IncidentEventsService } from './incident-events.service';

/** Takes incident events off `down-monitors`: validates, hands over, lets BullMQ retry failures. */
@Processor(QUEUES.DOWN_MONITORS)
export class IncidentEventsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(IncidentEventsProcessor.name);

  constructor(
    private readonly events: IncidentEventsService,
    @Inject(APP_CONFIG) private readonly config: AnalysisAgentConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.ANALYSIS_AGENT_CONCURRENCY;
  }

  async process(job: Job): Promise<EventResult> {
    const parsed = parseJobOrFail(job);
    let result: EventResult;
    switch (parsed.name) {
      case JOBS.MONITOR_DOWN:
        result = await this.events.monitorDown(parsed.data.incidentId);
        break;
      case JOBS.MONITOR_RECOVERED:
        result = await this.events.monitorRecovered(parsed.data.incidentId);
        break;
      case JOBS.FIX_FINISHED:
        result = await this.events.fixFinished(parsed.data.incidentId, parsed.data.fixJobId);
        break;
      default:
        throw new UnrecoverableError(`unexpected job "${job.name}" on ${QUEUES.DOWN_MONITORS}`);
    }
    const ids = { jobId: job.id, incidentId: parsed.data.incidentId, ...('monitorId' in parsed.data ? { monitorId: parsed.data.monitorId } : {}), ...('fixJobId' in parsed.data ? { fixJobId: parsed.data.fixJobId } : {}) };
    this.logger.log({ ...ids, jobName: job.name, result }, `${job.name} ${job.id}: ${result}`);
    return result;
  }
}
