import { loadAnalysisAgentConfig } from './analysis-agent.config';

const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/epitrace', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('analysis-agent sandbox configuration', () => {
  it('runs the Cline analysis without a sandbox unless told otherwise', () => {
    expect(loadAnalysisAgentConfig(base).SANDBOX_MODE).toBe('none');
  });

  it('accepts bwrap and user mode with a uid and gid', () => {
    expect(loadAnalysisAgentConfig({ ...base, SANDBOX_MODE: 'bwrap' }).SANDBOX_MODE).toBe('bwrap');
    const user = loadAnalysisAgentConfig({ ...base, SANDBOX_MODE: 'user', SANDBOX_UID: '10001', SANDBOX_GID: '10001' });
    expect([user.SANDBOX_UID, user.SANDBOX_GID, user.SANDBOX_ID_COUNT]).toEqual([10001, 10001, 1]);
  });

  it('takes a range of uid/gid pairs for concurrent analyses, one that stays clear of nobody', () => {
    const user = { ...base, SANDBOX_MODE: 'user', SANDBOX_UID: '10101', SANDBOX_GID: '10101' };
    expect(loadAnalysisAgentConfig({ ...user, SANDBOX_ID_COUNT: '2' }).SANDBOX_ID_COUNT).toBe(2);
    expect(() => loadAnalysisAgentConfig({ ...user, SANDBOX_UID: '65533', SANDBOX_ID_COUNT: '2' })).toThrow(/SANDBOX_UID.*nobody/);
  });

  it('refuses to boot in user mode without a uid and gid, or with an unknown mode', () => {
    expect(() => loadAnalysisAgentConfig({ ...base, SANDBOX_MODE: 'user' })).toThrow(/SANDBOX_UID/);
    expect(() => loadAnalysisAgentConfig({ ...base, SANDBOX_MODE: 'docker' })).toThrow(/SANDBOX_MODE/);
  });
});
