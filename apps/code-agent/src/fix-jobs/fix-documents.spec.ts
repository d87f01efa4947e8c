import type { Incident, Monitor } from '@epitrace/entities';
import { FixFacts, buildFixContext, buildFixPrompt, buildPullRequestBody, buildPullRequestTitle } from './fix-documents';

const incident = {
  id: '3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b',
  cause: 'connect ECONNREFUSED',
  statusCode: null,
  openedAt: new Date('2026-11-25T21:00:00Z'),
  analysis: null,
} as unknown as Incident;
const monitor = { name: 'orders', method: 'GET', url: 'https://orders.example.test/health' } as Monitor;
const facts = (over: Partial<FixFacts> = {}): FixFacts => ({ incident, monitor, testCommand: null, baseline: { outcome: 'no-tests', output: '' }, ...over });

describe('fix documents', () => {
  it('titles the PR conventionally from the agent summary, shortened to fit a commit subject', () => {
    expect(buildPullRequestTitle(facts({ agentSummary: '## fix(db): release the pool client on errors\nmore' }))).toBe('fix: release the pool client on errors');
    const long = buildPullRequestTitle(facts({ agentSummary: 'x'.repeat(200) }));
    expect(long.length).toBeLessThanOrEqual(72);
    expect(buildPullRequestTitle(facts())).toBe('fix: restore orders');
  });

  it('says plainly when there is no analysis and no test command', () => {
    const body = buildPullRequestBody(facts({ changedFiles: [{ path: 'src/a.js', status: 'M' }] }), 'job-1');
    expect(body).toContain('No analysis is available');
    expect(body).toContain('No test command was found');
    expect(body).toContain('needs human review');
    expect(body).not.toContain('Test output before the fix');
  });

  it('keeps agent-provided text from breaking out of the code fences', () => {
    const body = buildPullRequestBody(facts({ testCommand: 'npm test', baseline: { outcome: 'failed', output: '```\n# injected heading' }, after: { outcome: 'passed', output: '' } }), 'job-1');
    expect(body).not.toContain('```\n# injected heading');
  });

  it('points Cline at the context file and forbids committing or pushing', () => {
    const prompt = buildFixPrompt('.epitrace/fix-context.md', 'npm test');
    expect(prompt).toContain('.epitrace/fix-context.md');
    expect(prompt).toContain('`npm test`');
    expect(prompt).toMatch(/Do not commit, push/);
    expect(buildFixContext(facts())).toContain('No test command was found');
  });
});
