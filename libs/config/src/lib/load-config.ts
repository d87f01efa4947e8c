import { z } from 'zod';
import { ConfigValidationError } from './config-error';
import { DEV_SECRET_KEYS, devSecretsPath, loadOrCreateDevSecrets } from './dev-secrets';

export interface LoadConfigOptions {
  /** Secret keys this app needs that may be generated for local development. */
  devSecrets?: readonly (typeof DEV_SECRET_KEYS)[number][];
  env?: NodeJS.ProcessEnv;
  /** Where to report the generated-secrets warning; defaults to stderr. */
  warn?: (message: string) => void;
}

/**
 * Validates the environment against an app's schema and fails fast with every problem named.
 * Outside production, missing secrets are filled from a generated, git-ignored file so that
 * `npm start` works with no .env at all; in production they must be set explicitly.
 */
export function loadConfig<S extends z.ZodTypeAny>(app: string, schema: S, options: LoadConfigOptions = {}): z.infer<S> {
  const env = { ...(options.env ?? process.env) };
  const isProduction = env['NODE_ENV'] === 'production';
  const wanted = options.devSecrets ?? [];
  const absent = wanted.filter((k) => !env[k]);
  if (absent.length && !isProduction) {
    const generated = loadOrCreateDevSecrets(devSecretsPath(env));
    for (const key of absent) env[key] = generated[key];
    (options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(
      `!!! ${app}: ${absent.join(', ')} not set; using generated development values from ${devSecretsPath(env)}. ` +
        'Never run like this in production (NODE_ENV=production refuses to).',
    );
  }
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(env)';
      const present = issue.path.length && env[String(issue.path[0])] !== undefined;
      return `${key}: ${present ? issue.message : `is required (${issue.message})`}`;
    });
    throw new ConfigValidationError(app, problems);
  }
  return result.data;
}

/** Migrations run at start-up unless turned off; off by default in production. */
export function shouldRunMigrations(env: { NODE_ENV: string; DATABASE_MIGRATIONS_RUN?: string }): boolean {
  if (env.DATABASE_MIGRATIONS_RUN !== undefined) return env.DATABASE_MIGRATIONS_RUN === 'true' || env.DATABASE_MIGRATIONS_RUN === '1';
  return env.NODE_ENV !== 'production';
}
