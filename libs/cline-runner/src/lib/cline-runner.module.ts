import { DynamicModule, Module } from '@nestjs/common';
import { CLINE_RUNNER_SETTINGS, ClineRunner, ClineRunnerSettings } from './cline-runner';

@Module({})
export class ClineRunnerModule {
  static forRoot(settings: ClineRunnerSettings = {}): DynamicModule {
    return {
      module: ClineRunnerModule,
      providers: [{ provide: CLINE_RUNNER_SETTINGS, useValue: settings }, ClineRunner],
      exports: [ClineRunner],
    };
  }
}
