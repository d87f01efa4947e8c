import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted model turn: plain text, tool calls, or an HTTP error. */
export type FakeModelReply =
  | { text: string; delayMs?: number }
  | { toolCalls: { name: string; arguments: Record<string, unknown> }[]; text?: string; delayMs?: number }
  | { status: number; body?: unknown; delayMs?: number };

export interface RecordedChatRequest {
  headers: Record<string, string | string[] | undefined>;
  body: { model?: string; stream?: boolean; messages?: { role: string; content: unknown }[]; tools?: { function?: { name?: string } }[] };
}

export interface FakeOpenAiServer {
  /** Base URL including `/v1`, as OpenAI-compatible clients expect. */
  baseUrl: string;
  requests: RecordedChatRequest[];
  /** Queue replies; when the queue is empty `fallback` answers. */
  script(...replies: FakeModelReply[]): void;
  /** Answer every unscripted request with this (default: a short text). */
  fallback: FakeModelReply | ((request: RecordedChatRequest) => FakeModelReply);
  close(): Promise<void>;
}

/**
 * A local OpenAI-compatible chat-completions server (`POST /v1/chat/completions`, with
 * `stream: true` answered as SSE chunks like the real API) whose replies a test scripts, so the
 * real Cline binary can run offline.
 */
export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const queue: FakeModelReply[] = [];
  const requests: RecordedChatRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const state: FakeOpenAiServer = {
    baseUrl: '',
    requests,
    script: (...replies) => queue.push(...replies),
    fallback: { text: 'OK' },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method === 'GET' && req.url?.endsWith('/models')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model' }] }));
          return;
        }
        if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'not found' } }));
          return;
        }
        let body: RecordedChatRequest['body'] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          res.writeHead(400).end();
          return;
        }
        const recorded = { headers: req.headers, body };
        requests.push(recorded);
        const reply = queue.shift() ?? (typeof state.fallback === 'function' ? state.fallback(recorded) : state.fallback);
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if ('status' in reply) {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reply.body ?? { error: { message: `scripted ${reply.status}`, type: 'server_error' } }));
          return;
        }
        writeReply(res, body, reply);
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

function writeReply(res: ServerResponse, body: RecordedChatRequest['body'], reply: Exclude<FakeModelReply, { status: number }>): void {
  const id = `chatcmpl-fake-${Date.now()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model ?? 'fake-model';
  const toolCalls = 'toolCalls' in reply ? reply.toolCalls : [];
  const text = reply.text ?? '';
  const finishReason = toolCalls.length ? 'tool_calls' : 'stop';
  const usage = { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };

  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            finish_reason: finishReason,
            message: {
              role: 'assistant',
              content: text || null,
              tool_calls: toolCalls.length ? toolCalls.map((c, i) => ({ id: `call_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) : undefined,
            },
          },
        ],
        usage,
      }),
    );
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
  chunk({ role: 'assistant', content: '' });
  // Text arrives in a few pieces, as a real stream would.
  for (let i = 0; i < text.length; i += 200) chunk({ content: text.slice(i, i + 200) });
  toolCalls.forEach((call, index) => {
    chunk({ tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name: call.name, arguments: '' } }] });
    chunk({ tool_calls: [{ index, function: { arguments: JSON.stringify(call.arguments) } }] });
  });
  chunk({}, finishReason);
  res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}
