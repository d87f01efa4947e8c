export interface GitEnvironmentOptions {
  /** `https://host[:port]` of the repository; the header is scoped to it. */
  origin: string;
  token?: string;
  allowHttp?: boolean;
  /** Environment to start from (defaults to the process's); every GIT_* variable is dropped. */
  base?: NodeJS.ProcessEnv;
  /** Author/committer identity for commits made with this environment. */
  identity?: { name: string; email: string };
}

/** The value git sends for a GitHub token: what actions/checkout does, works for PATs and app tokens. */
export function basicAuthHeader(token: string): string {
  return `Authorization: Basic ${Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')}`;
}

/** Variables git would run as programs (and simple-git refuses to pass on). */
const DROPPED = new Set(['SSH_ASKPASS', 'EDITOR', 'VISUAL', 'PAGER', 'PREFIX']);

/**
 * The environment every git process of a checkout runs with. The token reaches git only as an
 * `http.<origin>.extraHeader` set through GIT_CONFIG_COUNT/KEY/VALUE, so it is never in argv (visible
 * in `ps`), in the remote URL (echoed in errors), or in .git/config (left on disk). Inherited GIT_*
 * variables are dropped so a stray GIT_TRACE_CURL cannot print the header and GIT_DIR cannot redirect.
 *
 * Every program git could start is also off, because untrusted code has had the working tree
 * (see RepoCheckout) and any program git starts inherits this environment, token included: no
 * system or user config is read (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null), and the
 * settings below beat the repository's own config (they rank with `git -c`).
 */
export function gitEnvironment(options: GitEnvironmentOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.base ?? process.env)) {
    if (value === undefined || key.startsWith('GIT_') || key.startsWith('GCM_') || DROPPED.has(key.toUpperCase())) continue;
    env[key] = value;
  }
  const config: [string, string][] = [
    // No hook runs: /dev/null is no directory, so git finds no hook in it.
    ['core.hooksPath', '/dev/null'],
    ['core.fsmonitor', 'false'],
    // The user-level attributes file ($XDG_CONFIG_HOME/git/attributes) is read even without user config.
    ['core.attributesFile', '/dev/null'],
    // Submodule directories are the tree's, hence untrusted: git never runs in them (see changedFiles too).
    ['diff.ignoreSubmodules', 'all'],
    ['submodule.recurse', 'false'],
    ['push.recurseSubmodules', 'no'],
    // No credential helper may be asked for, or store, anything.
    ['credential.helper', ''],
    // Only the transports we mean to use; blocks ext::, file:// and friends from submodules or redirects.
    ['protocol.allow', 'never'],
    ['protocol.https.allow', 'always'],
  ];
  if (options.allowHttp) config.push(['protocol.http.allow', 'always']);
  if (options.token) config.push([`http.${options.origin}/.extraHeader`, basicAuthHeader(options.token)]);
  env['GIT_CONFIG_COUNT'] = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  env['GIT_CONFIG_NOSYSTEM'] = '1';
  env['GIT_CONFIG_GLOBAL'] = '/dev/null';
  env['GIT_TERMINAL_PROMPT'] = '0';
  env['GCM_INTERACTIVE'] = 'never';
  // LFS objects are not needed to fix code and would need the token in yet another place.
  env['GIT_LFS_SKIP_SMUDGE'] = '1';
  if (options.identity) {
    env['GIT_AUTHOR_NAME'] = options.identity.name;
    env['GIT_AUTHOR_EMAIL'] = options.identity.email;
    env['GIT_COMMITTER_NAME'] = options.identity.name;
    env['GIT_COMMITTER_EMAIL'] = options.identity.email;
  }
  return env;
}

/**
 * What simple-git must be told to let the environment above through its safety checks (it flags
 * any setting of these keys, also the ones that turn them off).
 */
export const GIT_ENVIRONMENT_UNSAFE_FLAGS = {
  allowUnsafeConfigEnvCount: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeFsMonitor: true,
  allowUnsafeHooksPath: true,
  allowUnsafeProtocolOverride: true,
} as const;
