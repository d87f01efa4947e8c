import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { requestLogIds } from './common/request-log-ids';
import type { ApiConfig } from './config/api.config';

/**
 * A JSON string with a lone UTF-16 surrogate cannot be stored faithfully (Postgres would get
 * U+FFFD instead) and crashes some validators (encodeURI throws), so such a body is refused
 * while it is parsed, for every route at once: body-parser answers 400 "invalid JSON".
 */
export function rejectIllFormedStrings(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && !value.isWellFormed()) throw new SyntaxError('strings must be well-formed Unicode');
  return value;
}

/** HTTP hardening and documentation, shared by main.ts and the tests so both run the same stack. */
export function configureHttp(app: NestExpressApplication, config: ApiConfig): void {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({ contentSecurityPolicy: false }));
  const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  app.enableCors({ origin: origins, credentials: false });
  app.useBodyParser('json', { limit: config.BODY_LIMIT, reviver: rejectIllFormedStrings });
  app.useBodyParser('urlencoded', { limit: config.BODY_LIMIT, extended: false });
  // After the body parsers: their callbacks would not carry the ids into the handler.
  app.use(requestLogIds);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('EpiTrace API')
      .setDescription('Uptime monitors, incidents with Cline analysis, and one-click auto-fix pull requests.')
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  SwaggerModule.setup('api-docs', app, document, { jsonDocumentUrl: 'api-docs-json' });
}
