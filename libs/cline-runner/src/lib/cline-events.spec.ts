import { TailBuffer, parseClineLine } from './cline-events';

describe('parseClineLine', () => {
  it('turns the final run_result line into the run result and a log event', () => {
    const parsed = parseClineLine('{"ts":"2026-01-01T00:00:00Z","type":"run_result","finishReason":"completed","text":"done"}', []);
    expect(parsed.kind).toBe('run_result');
    if (parsed.kind === 'run_result') {
      expect(parsed.result.finishReason).toBe('completed');
      expect(parsed.event).toMatchObject({ kind: 'run_result', ts: '2026-01-01T00:00:00Z', message: 'run finished: completed', detail: 'done' });
    }
  });

  it('names the tool of a tool event and truncates its input', () => {
    const parsed = parseClineLine(JSON.stringify({ type: 'agent_event', event: { type: 'tool_call_start', toolName: 'run_commands', input: { commands: ['x'.repeat(2000)] } } }), []);
    expect(parsed.kind).toBe('event');
    if (parsed.kind === 'event') {
      expect(parsed.event.tool).toBe('run_commands');
      expect((parsed.event.detail ?? '').length).toBeLessThanOrEqual(500);
    }
  });

  it('skips streaming deltas and keeps non-JSON lines as unparsed', () => {
    expect(parseClineLine('{"type":"agent_event","event":{"type":"content_update","text":"a"}}', []).kind).toBe('noise');
    const parsed = parseClineLine('\u001b[32mnot json\u001b[0m', []);
    expect(parsed).toEqual({ kind: 'event', event: expect.objectContaining({ kind: 'unparsed', message: 'not json' }) });
  });

  it('redacts known secrets from messages', () => {
    const parsed = parseClineLine(JSON.stringify({ type: 'agent_event', event: { type: 'error', error: { message: 'bad key supersecretvalue' } } }), ['supersecretvalue']);
    expect(JSON.stringify(parsed)).not.toContain('supersecretvalue');
  });
});

describe('TailBuffer', () => {
  it('keeps the end of stderr without stack frames', () => {
    const tail = new TailBuffer(100);
    tail.push('Warning: x\n      at iX (/$bunfs/root/chunk.js:1:1)\n');
    tail.push('y'.repeat(300) + '\nError: last words\n');
    expect(tail.tail([])).toMatch(/Error: last words$/);
    expect(tail.tail([]).length).toBeLessThanOrEqual(100);
    expect(tail.tail([])).not.toContain('bunfs');
  });
});
