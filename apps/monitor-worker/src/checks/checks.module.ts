import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@epitrace/queue-contracts';
import { IncidentEventsProducer } from '../incidents/incident-events.producer';
import { MonitorStateStore } from '../incidents/monitor-state.store';
import { CheckProcessor } from './check.processor';
import { CheckRecorder } from './check-recorder.service';
import { CheckService } from './check.service';
import { CheckTargetLoader } from './check-target.loader';
import { HttpChecker } from './http-checker';

/** Consumes `analysis-requests`: runs checks, stores them in batches, opens and resolves incidents. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.ANALYSIS_REQUESTS }, { name: QUEUES.DOWN_MONITORS })],
  providers: [CheckProcessor, CheckService, CheckTargetLoader, HttpChecker, CheckRecorder, MonitorStateStore, IncidentEventsProducer],
  exports: [IncidentEventsProducer],
})
export class ChecksModule {}
