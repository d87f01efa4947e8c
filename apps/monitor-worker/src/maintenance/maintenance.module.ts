import { Module } from '@nestjs/common';
import { CheckRetentionService } from './check-retention.service';
import { MonitorStatusGauge } from './monitor-status-gauge.service';

@Module({ providers: [CheckRetentionService, MonitorStatusGauge], exports: [CheckRetentionService, MonitorStatusGauge] })
export class MaintenanceModule {}
