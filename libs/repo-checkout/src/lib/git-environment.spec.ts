import { basicAuthHeader, gitEnvironment } from './git-environment';

describe('gitEnvironment', () => {
  const token = 'ghp_abcdefghijklmnopqrstuvwxyz012345';

  it('hands the token to git only as an extra header scoped to the repository host', () => {
    const env = gitEnvironment({ origin: 'https://ghe.example.com', token, base: { PATH: '/usr/bin' } });
    const entries = Object.entries(env);
    const holding = entries.filter(([, v]) => v.includes(Buffer.from(`x-access-token:${token}`).toString('base64')));
    expect(holding).toHaveLength(1);
    const [valueKey] = holding[0];
    const index = valueKey.replace('GIT_CONFIG_VALUE_', '');
    expect(env[`GIT_CONFIG_KEY_${index}`]).toBe('http.https://ghe.example.com/.extraHeader');
    expect(entries.some(([, v]) => v.includes(token))).toBe(false);
    expect(env['GIT_TERMINAL_PROMPT']).toBe('0');
  });

  it('drops inherited git variables that could print or redirect the request', () => {
    const env = gitEnvironment({
      origin: 'https://github.com',
      base: { PATH: '/usr/bin', GIT_TRACE_CURL: '1', GIT_DIR: '/elsewhere', GIT_ASKPASS: '/bin/echo', PAGER: 'less', HOME: '/home/x' },
    });
    expect(env['GIT_TRACE_CURL']).toBeUndefined();
    expect(env['GIT_DIR']).toBeUndefined();
    expect(env['GIT_ASKPASS']).toBeUndefined();
    expect(env['PAGER']).toBeUndefined();
    expect(env['HOME']).toBe('/home/x');
  });

  it('allows plain http only when asked and sets no header without a token', () => {
    const withHttp = gitEnvironment({ origin: 'http://127.0.0.1:1', allowHttp: true, base: {} });
    const values = Object.values(withHttp);
    expect(values.some((v) => v.startsWith('Authorization'))).toBe(false);
    expect(Object.entries(withHttp).some(([k, v]) => k.startsWith('GIT_CONFIG_KEY') && v === 'protocol.http.allow')).toBe(true);
    const without = gitEnvironment({ origin: 'https://github.com', base: {} });
    expect(Object.values(without)).not.toContain('protocol.http.allow');
  });

  it('reads no system or user config and turns off every program the repository config could make git run', () => {
    const env = gitEnvironment({ origin: 'https://github.com', base: { PATH: '/usr/bin', HOME: '/root' } });
    const settings = Object.fromEntries(
      Array.from({ length: Number(env['GIT_CONFIG_COUNT']) }, (_, i) => [env[`GIT_CONFIG_KEY_${i}`], env[`GIT_CONFIG_VALUE_${i}`]]),
    );
    expect(settings).toMatchObject({
      'core.hooksPath': '/dev/null',
      'core.fsmonitor': 'false',
      'core.attributesFile': '/dev/null',
      'diff.ignoreSubmodules': 'all',
      'submodule.recurse': 'false',
      'credential.helper': '',
    });
    expect(env).toMatchObject({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' });
  });

  it('builds the Basic header GitHub accepts for tokens', () => {
    expect(basicAuthHeader('t0ken')).toBe(`Authorization: Basic ${Buffer.from('x-access-token:t0ken').toString('base64')}`);
  });
});
