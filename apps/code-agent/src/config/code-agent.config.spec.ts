import { randomBytes } from 'node:crypto';
import { loadCodeAgentConfig, longestFixJobMs } from './code-agent.config';

const base = { NODE_ENV: 'test', ENCRYPTION_KEY: randomBytes(32).toString('base64'), INGEST_SECRET: randomBytes(24).toString('base64url') };

describe('code-agent workspace sweep configuration', () => {
  it('sweeps hourly and only workspaces older than the longest a fix job can run, by default', () => {
    const config = loadCodeAgentConfig(base);
    expect(config.FIX_WORKSPACE_SWEEP_INTERVAL_MS).toBe(3_600_000);
    expect(config.FIX_WORKSPACE_MAX_AGE_MS).toBe(6 * 3_600_000);
    expect(config.FIX_WORKSPACE_MAX_AGE_MS).toBeGreaterThan(longestFixJobMs(config));
  });

  it('refuses a workspace age a running job could reach, naming the minimum', () => {
    const env = { ...base, FIX_TIMEOUT_MS: String(4 * 3_600_000), TEST_TIMEOUT_MS: String(2 * 3_600_000), FIX_CLONE_TIMEOUT_MS: '300000' };
    const minimum = 4 * 3_600_000 + 2 * 2 * 3_600_000 + 300_000 + 3_600_000;
    expect(() => loadCodeAgentConfig(env)).toThrow(new RegExp(`FIX_WORKSPACE_MAX_AGE_MS: .*must be at least ${minimum} ms`));
    expect(loadCodeAgentConfig({ ...env, FIX_WORKSPACE_MAX_AGE_MS: String(minimum) }).FIX_WORKSPACE_MAX_AGE_MS).toBe(minimum);
  });
});
