import 'reflect-metadata';
import { runMigrations } from '@epitrace/entities';
import { assertServicesReachable, ensureDatabaseExists, runMain } from '@epitrace/nest-common';
import { loadApiConfig } from './config/api.config';

/** `npm run db:migrate`: apply pending migrations and exit. */
runMain(async () => {
  const config = loadApiConfig();
  await assertServicesReachable(config.DATABASE_URL, config.REDIS_URL);
  if (config.NODE_ENV !== 'production' && (await ensureDatabaseExists(config.DATABASE_URL))) {
    process.stdout.write(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}\n`);
  }
  const applied = await runMigrations(config.DATABASE_URL);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
});
