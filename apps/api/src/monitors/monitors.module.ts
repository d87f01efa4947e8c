import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Monitor, MonitorCheck, MonitorGithubToken } from '@epitrace/entities';
import { MonitorSchedulingModule } from '@epitrace/monitor-scheduling';
import { MonitorScheduleSync } from './monitor-schedule-sync.service';
import { MonitorsController } from './monitors.controller';
import { MonitorsService } from './monitors.service';

/** Monitor CRUD, start/pause and history; exports MonitorsService.findOwned for ownership checks. */
@Module({
  imports: [TypeOrmModule.forFeature([Monitor, MonitorCheck, MonitorGithubToken]), MonitorSchedulingModule],
  controllers: [MonitorsController],
  providers: [MonitorsService, MonitorScheduleSync],
  exports: [MonitorsService],
})
export class MonitorsModule {}
