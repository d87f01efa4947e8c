import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, ContractProcessor } from '@epitrace/nest-common';
import { JOBS, QUEUES, ValidatedJob } from '@epitrace/queue-contracts';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';
import { EventResult, IncidentEventsService } from './incident-events.service';

/** Takes incident events off `down-monitors`: hands them over, lets BullMQ retry failures. */
@Processor(QUEUES.DOWN_MONITORS)
export class IncidentEventsProcessor extends ContractProcessor<EventResult> {
  constructor(
    private readonly events: IncidentEventsService,
    @Inject(APP_CONFIG) config: AnalysisAgentConfig,
  ) {
    super(config.ANALYSIS_AGENT_CONCURRENCY);
  }

  protected async handle(parsed: ValidatedJob, job: Job): Promise<EventResult> {
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
    this.logger.log({ jobName: job.name, result }, `${job.name} ${job.id}: ${result}`);
    return result;
  }
}
