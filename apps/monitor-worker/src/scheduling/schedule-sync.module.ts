import { Module } from '@nestjs/common';
import { MonitorSchedulingModule } from '@epitrace/monitor-scheduling';
import { ChecksModule } from '../checks/checks.module';
import { ScheduleSyncService } from './schedule-sync.service';

@Module({
  imports: [MonitorSchedulingModule, ChecksModule],
  providers: [ScheduleSyncService],
  exports: [ScheduleSyncService],
})
export class ScheduleSyncModule {}
