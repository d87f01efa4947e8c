import 'reflect-metadata';
import { bootstrapApp, runMain } from '@epitrace/nest-common';
import { AppModule } from './app.module';
import { loadCodeAgentConfig } from './config/code-agent.config';

runMain(async () => {
  const config = loadCodeAgentConfig();
  await bootstrapApp({ config, module: AppModule.forRoot(config) });
});
