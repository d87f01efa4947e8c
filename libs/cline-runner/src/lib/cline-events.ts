import { redactSecrets } from '@epitrace/secrets';
import type { ClineLogEvent } from './cline-run.types';

const DETAIL_MAX = 500;
const MESSAGE_MAX = 300;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The final line of a headless run. */
export interface RunResultLine {
  type: 'run_result';
  finishReason: 'completed' | 'error' | 'aborted' | string;
  text?: string;
}

export type ParsedLine =
  | { kind: 'run_result'; result: RunResultLine; event: ClineLogEvent }
  | { kind: 'event'; event: ClineLogEvent }
  /** Streaming deltas: counted but not worth a log line each. */
  | { kind: 'noise' };

const NOISY_AGENT_EVENTS = new Set(['content_update', 'content_delta', 'text_delta', 'reasoning_delta', 'usage']);

/**
 * Turns one stdout line of `cline --json` into a structured, redacted log event. The CLI's event
 * vocabulary is not a stable contract, so unknown shapes become a generic event rather than an
 * error; a line that is not JSON at all is kept as `unparsed`.
 */
export function parseClineLine(line: string, known: readonly string[], ts = new Date().toISOString()): ParsedLine {
  const clean = (s: string, max: number) => truncate(redactSecrets(stripAnsi(s), known), max);
  let parsed: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(line);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    parsed = value as Record<string, unknown>;
  } catch {
    return { kind: 'event', event: { ts, kind: 'unparsed', message: clean(line, MESSAGE_MAX) } };
  }
  const eventTs = typeof parsed['ts'] === 'string' ? parsed['ts'] : ts;

  if (parsed['type'] === 'run_result') {
    const result = parsed as unknown as RunResultLine;
    return {
      kind: 'run_result',
      result,
      event: { ts: eventTs, kind: 'run_result', message: `run finished: ${clean(asText(result.finishReason), 40)}`, detail: clean(asText(result.text), DETAIL_MAX) || undefined },
    };
  }

  if (parsed['type'] === 'agent_event' && parsed['event'] && typeof parsed['event'] === 'object') {
    const ev = parsed['event'] as Record<string, unknown>;
    const type = asText(ev['type']) || 'event';
    if (NOISY_AGENT_EVENTS.has(type)) return { kind: 'noise' };
    const tool = toolName(ev);
    const input = ev['input'] ?? ev['args'] ?? ev['arguments'] ?? ev['parameters'];
    const output = ev['output'] ?? ev['result'];
    const error = ev['error'] && typeof ev['error'] === 'object' ? asText((ev['error'] as Record<string, unknown>)['message']) : asText(ev['error']);
    const text = asText(ev['text']);
    let message: string;
    if (tool && ev['contentType'] === 'tool') message = type === 'content_end' ? `tool ${tool} ${error ? `failed: ${error}` : 'finished'}` : `tool ${tool}`;
    else if (tool) message = `${type}: ${tool}`;
    else if (error) message = `${type}: ${error}`;
    else if (text) message = `${type}: ${text}`;
    else if (ev['iteration'] !== undefined) message = `${type} ${asText(ev['iteration'])}`;
    else message = type;
    const detail = [input !== undefined ? `input: ${asText(input)}` : '', output !== undefined ? `output: ${asText(output)}` : ''].filter(Boolean).join('\n');
    return {
      kind: 'event',
      event: { ts: eventTs, kind: 'agent_event', tool, message: clean(message, MESSAGE_MAX), detail: detail ? clean(detail, DETAIL_MAX) : undefined },
    };
  }

  const type = asText(parsed['type']) || 'event';
  const name = asText(parsed['hookEventName'] ?? parsed['message'] ?? parsed['reason']);
  return { kind: 'event', event: { ts: eventTs, kind: 'agent_event', message: clean(name ? `${type}: ${name}` : type, MESSAGE_MAX) } };
}

function toolName(ev: Record<string, unknown>): string | undefined {
  const direct = ev['toolName'] ?? ev['tool_name'];
  if (typeof direct === 'string') return direct;
  const tool = ev['tool'] ?? ev['toolCall'];
  if (typeof tool === 'string') return tool;
  if (tool && typeof tool === 'object') {
    const name = (tool as Record<string, unknown>)['name'] ?? (tool as Record<string, unknown>)['toolName'];
    if (typeof name === 'string') return name;
  }
  if (asText(ev['type']).startsWith('tool') && typeof ev['name'] === 'string') return ev['name'];
  return undefined;
}

/** Keeps the last `max` characters of a stream (stderr), for the error message of a failed run. */
export class TailBuffer {
  private text = '';
  constructor(private readonly max: number) {}

  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.max * 2);
  }

  /** ANSI stripped, stack-trace lines of the CLI's bundled runtime dropped, redacted. */
  tail(known: readonly string[]): string {
    const lines = stripAnsi(this.text)
      .split(/\r?\n/)
      .filter((l) => l.trim() && !/^\s+at\s/.test(l));
    return redactSecrets(lines.join('\n'), known).slice(-this.max);
  }
}
