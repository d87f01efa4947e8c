import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';

/** Serves the dashboard page and its assets at /dashboard. */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
