import 'reflect-metadata';
import { bootstrapApp, runMain } from '@epitrace/nest-common';
import { AppModule } from './app.module';
import { loadApiConfig } from './config/api.config';
import { configureHttp } from './http-setup';

runMain(async () => {
  const config = loadApiConfig();
  await bootstrapApp({ config, module: AppModule.forRoot(config), configure: (app) => configureHttp(app, config) });
});
