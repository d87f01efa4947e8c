import { DynamicModule, Module } from '@nestjs/common';
import { FIX_LINK_SETTINGS, FixLinkService, FixLinkSettings } from './fix-links.service';

/** Needs the app's TypeORM root module (DataSource) to be imported already. */
@Module({})
export class FixLinksModule {
  static forRoot(settings: FixLinkSettings): DynamicModule {
    return {
      module: FixLinksModule,
      providers: [{ provide: FIX_LINK_SETTINGS, useValue: settings }, FixLinkService],
      exports: [FixLinkService],
    };
  }
}
