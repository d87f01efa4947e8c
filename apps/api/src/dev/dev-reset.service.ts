import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MonitorScheduler } from '@epitrace/monitor-scheduling';

/** Tables that describe the schema itself and survive a reset. */
const KEPT_TABLES = new Set(['migrations', 'typeorm_metadata']);

@Injectable()
export class DevResetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: MonitorScheduler,
  ) {}

  /** Empties every application table, then removes the monitor schedules that now point at nothing. */
  async reset(): Promise<{ tables: string[]; removedSchedules: number }> {
    const rows: { table_name: string }[] = await this.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const tables = rows.map((r) => r.table_name).filter((t) => !KEPT_TABLES.has(t));
    if (tables.length) {
      await this.dataSource.query(`TRUNCATE ${tables.map((t) => `"${t.replace(/"/g, '""')}"`).join(', ')} RESTART IDENTITY CASCADE`);
    }
    const removedSchedules = await this.scheduler.unscheduleAll();
    return { tables, removedSchedules };
  }
}
