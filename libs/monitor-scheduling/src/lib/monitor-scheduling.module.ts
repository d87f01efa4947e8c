import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@epitrace/queue-contracts';
import { MonitorScheduler } from './monitor-scheduler.service';
import { ScheduleReconciler } from './schedule-reconciler';

/** Needs the app's BullMQ root module (createQueueRootModule from @epitrace/nest-common). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.ANALYSIS_REQUESTS })],
  providers: [MonitorScheduler, ScheduleReconciler],
  exports: [MonitorScheduler, ScheduleReconciler],
})
export class MonitorSchedulingModule {}
