import { Module } from '@nestjs/common';
import { CheckRetentionService } from './check-retention.service';

@Module({ providers: [CheckRetentionService], exports: [CheckRetentionService] })
export class MaintenanceModule {}
