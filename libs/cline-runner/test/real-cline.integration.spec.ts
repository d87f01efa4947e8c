import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAiServer, startFakeOpenAiServer } from '@epitrace/testing';
import { ClineLogEvent, ClineRunner, resolveClineBinary } from '../src';

/**
 * The real pinned `cline` binary (node_modules/cline/bin/.cline) against a local
 * OpenAI-compatible server that scripts the model: proves the argv, the provider setup, the
 * NDJSON parsing, the deadline and the cleanup work with the CLI itself, offline.
 */
const API_KEY = 'sk-integration-0123456789abcdef';

describe('ClineRunner with the real cline binary', () => {
  let llm: FakeOpenAiServer;
  let tempRoot: string;
  let runner: ClineRunner;

  beforeAll(async () => {
    llm = await startFakeOpenAiServer();
    tempRoot = mkdtempSync(join(tmpdir(), 'real-cline-runs-'));
    runner = new ClineRunner({ binary: resolveClineBinary({}), tempRoot, killGraceMs: 3_000 });
  });

  afterAll(async () => {
    await llm?.close();
  });

  function repo(): string {
    const dir = mkdtempSync(join(tmpdir(), 'real-cline-repo-'));
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(join(dir, 'index.js'), 'module.exports = () => 42;\n');
    execFileSync('git', ['-C', dir, 'add', '.']);
    execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'init']);
    return dir;
  }

  const provider = () => ({ provider: 'openai-compatible', model: 'fake-model', apiKey: API_KEY, baseUrl: llm.baseUrl });

  it('uses the pinned native binary', () => {
    expect(runner.binary).toMatch(/node_modules\/cline\/bin\/\.cline$/);
  });

  it('runs a plan-mode analysis and returns the model answer, streaming from the configured base URL with the key', async () => {
    const answer = '```json\n{"summary":"db down","root_cause":"pool","evidence":[],"suspected_files":["index.js"],"proposed_fix":"x","confidence":"low"}\n```';
    llm.script({ text: answer });
    const events: ClineLogEvent[] = [];
    const before = llm.requests.length;
    const result = await runner.run({ mode: 'plan', workdir: repo(), prompt: 'Why is the service down? Answer in JSON.', timeoutMs: 60_000, provider: provider(), onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ outcome: 'completed', exitCode: 0, text: answer });
    const request = llm.requests[before];
    expect(request.body.stream).toBe(true);
    expect(request.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(JSON.stringify(request.body.messages)).toContain('Why is the service down? Answer in JSON.');
    expect(events.some((e) => e.kind === 'run_result')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(API_KEY);
    expect(readdirSync(tempRoot)).toEqual([]);
  });

  it('lets plan mode read a context file outside the checkout, named in the prompt', async () => {
    const contextFile = join(mkdtempSync(join(tmpdir(), 'real-cline-context-')), 'incident.md');
    writeFileSync(contextFile, 'HTTP 500 since 21:00: pool exhausted\n');
    llm.script({ toolCalls: [{ name: 'read_files', arguments: { files: [{ path: contextFile }] } }] }, { text: '{"summary":"pool exhausted"}' });
    const events: ClineLogEvent[] = [];
    const before = llm.requests.length;
    const result = await runner.run({ mode: 'plan', workdir: repo(), prompt: `Read ${contextFile} and answer in JSON.`, timeoutMs: 60_000, provider: provider(), onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ outcome: 'completed', text: '{"summary":"pool exhausted"}' });
    expect(events.some((e) => e.tool === 'read_files')).toBe(true);
    // The file's content went back to the model as the tool result.
    expect(JSON.stringify(llm.requests[before + 1].body.messages)).toContain('pool exhausted');
  });

  it('edits files in act mode and ends through submit_and_exit, leaving no refs/cline checkpoints', async () => {
    const workdir = repo();
    llm.script(
      { toolCalls: [{ name: 'editor', arguments: { path: join(workdir, 'FIXED.md'), new_text: 'fixed\n' } }] },
      { toolCalls: [{ name: 'submit_and_exit', arguments: { summary: 'Created FIXED.md as requested.', verified: true } }] },
    );
    const events: ClineLogEvent[] = [];
    const result = await runner.run({ mode: 'act', workdir, prompt: 'Create FIXED.md', timeoutMs: 60_000, provider: provider(), onEvent: (e) => events.push(e) });
    expect(result.outcome).toBe('completed');
    expect(readFileSync(join(workdir, 'FIXED.md'), 'utf8')).toBe('fixed\n');
    expect(events.some((e) => e.tool === 'editor')).toBe(true);
    expect(execFileSync('git', ['-C', workdir, 'for-each-ref', 'refs/cline/'], { encoding: 'utf8' })).toBe('');
    expect(readdirSync(tempRoot)).toEqual([]);
  });

  it('runs the real CLI inside bubblewrap and as an unprivileged user, editing the checkout', async () => {
    const sandboxes = [{ mode: 'bwrap' as const }, ...(process.getuid?.() === 0 ? [{ mode: 'user' as const, uid: 65534, gid: 65534 }] : [])];
    for (const sandbox of sandboxes) {
      const sandboxed = new ClineRunner({ binary: resolveClineBinary({}), tempRoot, killGraceMs: 3_000, sandbox });
      const workdir = repo();
      llm.script(
        { toolCalls: [{ name: 'editor', arguments: { path: join(workdir, 'FIXED.md'), new_text: `fixed in ${sandbox.mode}\n` } }] },
        { toolCalls: [{ name: 'submit_and_exit', arguments: { summary: 'Created FIXED.md.', verified: true } }] },
      );
      const result = await sandboxed.run({ mode: 'act', workdir, prompt: 'Create FIXED.md', timeoutMs: 60_000, provider: provider() });
      expect({ mode: sandbox.mode, outcome: result.outcome, error: result.error }).toEqual({ mode: sandbox.mode, outcome: 'completed', error: undefined });
      expect(readFileSync(join(workdir, 'FIXED.md'), 'utf8')).toBe(`fixed in ${sandbox.mode}\n`);
      expect(readdirSync(tempRoot)).toEqual([]);
    }
  });

  it('stops a run whose model never answers at the deadline and reports timed_out', async () => {
    llm.script({ text: 'too late', delayMs: 60_000 });
    const workdir = repo();
    const result = await runner.run({ mode: 'plan', workdir, prompt: 'Analyse slowly', timeoutMs: 4_000, provider: provider() });
    expect(result.outcome).toBe('timed_out');
    expect(existsSync(tempRoot) && readdirSync(tempRoot)).toEqual([]);
  });
});
