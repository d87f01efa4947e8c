import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Incident } from '@epitrace/entities';
import { MonitorsModule } from '../monitors/monitors.module';
import { IncidentsController, MonitorIncidentsController } from './incidents.controller';
import { IncidentsService } from './incidents.service';
import { MonitorStatsService } from './monitor-stats.service';

/** Read side of the monitoring pipeline: incidents and per-monitor stats. */
@Module({
  imports: [TypeOrmModule.forFeature([Incident]), MonitorsModule],
  controllers: [MonitorIncidentsController, IncidentsController],
  providers: [IncidentsService, MonitorStatsService],
})
export class IncidentsModule {}
