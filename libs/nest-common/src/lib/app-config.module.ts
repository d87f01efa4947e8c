import { DynamicModule, Global, Module } from '@nestjs/common';
import type { BaseEnv } from '@epitrace/config';

/** Injection token of the app's validated config object (`@Inject(APP_CONFIG) config: ApiConfig`). */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Every app's config extends the base settings; `APP_NAME` names the process in logs and metrics. */
export type AppConfigBase = BaseEnv & { APP_NAME: string };

@Global()
@Module({})
export class AppConfigModule {
  /** The config is validated once in main.ts (fail fast, before Nest starts) and handed in here. */
  static forRoot<C extends AppConfigBase>(config: C): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
