import { Module } from '@nestjs/common';
import { MonitorSchedulingModule } from '@epitrace/monitor-scheduling';
import type { ApiConfig } from '../config/api.config';
import { DevController } from './dev.controller';
import { DevResetService } from './dev-reset.service';

@Module({
  imports: [MonitorSchedulingModule],
  controllers: [DevController],
  providers: [DevResetService],
})
export class DevModule {
  /** The reset route exists only in development, and only when explicitly switched on. */
  static isEnabled(config: Pick<ApiConfig, 'NODE_ENV' | 'DEV_RESET_DB_ENABLED'>): boolean {
    return config.NODE_ENV === 'development' && config.DEV_RESET_DB_ENABLED;
  }
}
