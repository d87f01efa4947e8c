import { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions } from '@epitrace/entities';
import { APP_CONFIG, AppConfigBase } from './app-config.module';

/**
 * TypeORM from config. Migrations are not run here but in preflight, under an advisory lock,
 * because the four apps start together and TypeORM's own migrationsRun does not lock.
 */
export function createDatabaseModule(): DynamicModule {
  return TypeOrmModule.forRootAsync({
    inject: [APP_CONFIG],
    useFactory: (config: AppConfigBase) => ({
      ...buildDataSourceOptions({
        url: config.DATABASE_URL,
        poolSize: config.DATABASE_POOL_SIZE,
        applicationName: config.APP_NAME,
      }),
      // Keep retrying at boot (Postgres may still be starting) instead of crashing into a restart loop.
      retryAttempts: 30,
      retryDelay: 2_000,
    }),
  });
}
