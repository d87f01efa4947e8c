import { parseAnalysis } from './parse-analysis';

const full = { summary: 's', root_cause: 'r', evidence: ['e1'], suspected_files: ['a.js'], proposed_fix: 'p', confidence: 'high' };

describe('parseAnalysis', () => {
  it('reads a bare JSON answer', () => {
    expect(parseAnalysis(JSON.stringify(full))).toEqual(full);
  });

  it('reads JSON inside a fenced block after some prose', () => {
    expect(parseAnalysis(`I looked at the code.\n\n\`\`\`json\n${JSON.stringify(full)}\n\`\`\`\nHope this helps.`)).toEqual(full);
  });

  it('reads JSON embedded in prose, with camelCase keys, a single evidence string and a numeric confidence', () => {
    const answer = `Here you go: {"summary":"db","rootCause":"pool {leak}","evidence":"only one","suspectedFiles":["x.js"],"proposedFix":"release","confidence":0.8} thanks`;
    expect(parseAnalysis(answer)).toEqual({ summary: 'db', root_cause: 'pool {leak}', evidence: ['only one'], suspected_files: ['x.js'], proposed_fix: 'release', confidence: 'high' });
  });

  it('fills a missing summary from the root cause and missing lists with empty ones', () => {
    expect(parseAnalysis('{"root_cause":"the cache is cold\\nand more"}')).toMatchObject({ summary: 'the cache is cold', evidence: [], suspected_files: [], confidence: 'unknown' });
  });

  it('keeps an answer that is not JSON as raw text with a short summary', () => {
    const parsed = parseAnalysis('The service fails because the env var DB_URL is missing.\nSet it in the deployment.');
    expect(parsed.raw).toContain('DB_URL is missing');
    expect(parsed.summary).toBe('The service fails because the env var DB_URL is missing. Set it in the deployment.');
  });

  it('keeps truncated JSON as raw rather than failing', () => {
    const parsed = parseAnalysis('{"summary": "half an answ');
    expect(parsed.raw).toBe('{"summary": "half an answ');
  });
});
