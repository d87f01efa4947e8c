import 'reflect-metadata';
import { bootstrapApp, runMain } from '@epitrace/nest-common';
import { AppModule } from './app.module';
import { loadAnalysisAgentConfig } from './config/analysis-agent.config';

runMain(async () => {
  const config = loadAnalysisAgentConfig();
  await bootstrapApp({ config, module: AppModule.forRoot(config) });
});
