import type { ClineRunOptions } from './cline-run.types';
import { providerKeyEnvName } from './provider-credentials';

export interface RunDirs {
  root: string;
  config: string;
  data: string;
  home: string;
}

/** argv of a headless run. The prompt is one element after `--`, so whitespace needs no quoting. */
export function runArgs(options: Pick<ClineRunOptions, 'mode' | 'workdir' | 'prompt' | 'provider'>, dirs: RunDirs): string[] {
  return [
    '--json',
    options.mode === 'plan' ? '--plan' : '--yolo',
    '-c',
    options.workdir,
    '-P',
    options.provider.provider,
    '-m',
    options.provider.model,
    '--config',
    dirs.config,
    '--data-dir',
    dirs.data,
    '--',
    options.prompt,
  ];
}

/** Host variables the CLI may legitimately need (paths, locale, proxies, CA bundles). */
const PASSTHROUGH_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];

/**
 * The agent's environment is built from scratch rather than inherited: the service's own
 * secrets (database URL, encryption key, GitHub tokens…) must never be readable by a process
 * that runs model-chosen commands. HOME points into the run's temp dir so nothing lands in ~.
 */
export function runEnv(options: Pick<ClineRunOptions, 'provider' | 'env'>, dirs: RunDirs, host: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSTHROUGH_ENV) if (host[name] !== undefined) env[name] = host[name];
  Object.assign(env, options.env ?? {});
  env['HOME'] = dirs.home;
  env['CLINE_NO_AUTO_UPDATE'] = '1';
  env['NO_COLOR'] = '1';
  const keyEnv = providerKeyEnvName(options.provider.provider);
  if (keyEnv && options.provider.apiKey) env[keyEnv] = options.provider.apiKey;
  return env;
}
