import { DynamicModule } from '@nestjs/common';
import { LoggerModule, Params } from 'nestjs-pino';
import type { AppConfigBase } from './app-config.module';
import { currentLogIds } from './log-context';

type PinoHttpOptions = Extract<NonNullable<Params['pinoHttp']>, unknown[]>[0];
export type PinoDestination = Extract<NonNullable<Params['pinoHttp']>, unknown[]>[1];

/** Anything that can carry a credential, wherever it sits in a log object. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-ingest-secret"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.rePassword',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.webhook_url',
  '*.webhookUrl',
  '*.secret',
  '*.apiKey',
];

/**
 * Structured JSON logs (pretty in a terminal when LOG_PRETTY=true), secrets redacted, one `app` field per process,
 * the ids of the job/incident/monitor being handled on every line.
 * `destination` replaces stdout (tests capture the lines to assert that no secret is ever logged).
 */
export function createLoggerModule(config: AppConfigBase, destination?: PinoDestination): DynamicModule {
  const options: PinoHttpOptions = {
    name: config.APP_NAME,
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
    // The job/incident/monitor ids in force (see log-context.ts) on every line; a line's own fields win.
    mixin: () => currentLogIds(),
    transport: config.LOG_PRETTY ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } } : undefined,
    // The query string of the auto-fix link and stream tokens is a credential: log the path only.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
    },
    autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  };
  return LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : options });
}
