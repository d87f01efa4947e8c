import './threadpool';
import 'reflect-metadata';
import { bootstrapApp, runMain } from '@epitrace/nest-common';
import { AppModule } from './app.module';
import { loadMonitorWorkerConfig } from './config/monitor-worker.config';

runMain(async () => {
  const config = loadMonitorWorkerConfig();
  await bootstrapApp({ config, module: AppModule.forRoot(config) });
});
