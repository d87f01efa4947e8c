import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedChatMessage {
  provider: 'slack' | 'discord';
  /** The webhook path, e.g. `/slack/T0/B0/abc`. */
  path: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

/** A scripted answer to the next request on a path (instead of the provider's success answer). */
export interface ScriptedChatResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeChatWebhooks {
  baseUrl: string;
  /** A fresh incoming-webhook URL of the given provider on this server. */
  slackUrl(name?: string): string;
  discordUrl(name?: string): string;
  /** Accepted messages only (the ones the real service would have posted to the channel). */
  messages: ReceivedChatMessage[];
  /** Every request, accepted or not. */
  attempts: ReceivedChatMessage[];
  /** Queue answers for a webhook URL; after them, it accepts again. */
  respond(url: string, ...responses: ScriptedChatResponse[]): void;
  close(): Promise<void>;
}

const DISCORD = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000, embeds: 10 };

/** Discord answers 400 with per-field errors when an embed breaks its limits; so does this fake. */
function discordProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const embeds = (body['embeds'] as Record<string, unknown>[] | undefined) ?? [];
  if (!body['content'] && !embeds.length) problems.push('Cannot send an empty message');
  if (embeds.length > DISCORD.embeds) problems.push('too many embeds');
  let total = 0;
  embeds.forEach((e, i) => {
    const title = String(e['title'] ?? '');
    const description = String(e['description'] ?? '');
    const footer = String((e['footer'] as { text?: string } | undefined)?.text ?? '');
    const fields = (e['fields'] as { name: string; value: string }[] | undefined) ?? [];
    if (title.length > DISCORD.title) problems.push(`embeds.${i}.title: Must be ${DISCORD.title} or fewer in length.`);
    if (description.length > DISCORD.description) problems.push(`embeds.${i}.description: Must be ${DISCORD.description} or fewer in length.`);
    if (fields.length > DISCORD.fields) problems.push(`embeds.${i}.fields: Must be ${DISCORD.fields} or fewer in length.`);
    fields.forEach((f, j) => {
      if (!f.name || f.name.length > DISCORD.fieldName) problems.push(`embeds.${i}.fields.${j}.name: bad length`);
      if (!f.value || f.value.length > DISCORD.fieldValue) problems.push(`embeds.${i}.fields.${j}.value: Must be ${DISCORD.fieldValue} or fewer in length.`);
    });
    total += title.length + description.length + footer.length + fields.reduce((n, f) => n + (f.name?.length ?? 0) + (f.value?.length ?? 0), 0);
  });
  if (total > DISCORD.total) problems.push(`embeds: total size ${total} exceeds ${DISCORD.total}`);
  return problems;
}

/** Slack rejects blocks over its limits with `invalid_blocks`; the common ones are checked here. */
function slackProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const blocks = (body['blocks'] as Record<string, unknown>[] | undefined) ?? [];
  if (!body['text'] && !blocks.length) problems.push('no_text');
  if (blocks.length > 50) problems.push('invalid_blocks: more than 50 blocks');
  for (const b of blocks) {
    const text = (b['text'] as { text?: string } | undefined)?.text ?? '';
    if (b['type'] === 'header' && text.length > 150) problems.push('invalid_blocks: header text over 150');
    if (b['type'] === 'section' && text.length > 3000) problems.push('invalid_blocks: section text over 3000');
    const fields = (b['fields'] as { text: string }[] | undefined) ?? [];
    if (fields.length > 10 || fields.some((f) => f.text.length > 2000)) problems.push('invalid_blocks: section fields');
    const elements = (b['elements'] as { text?: { text?: string }; url?: string }[] | undefined) ?? [];
    if (b['type'] === 'actions' && (elements.length > 25 || elements.some((e) => (e.text?.text?.length ?? 0) > 75 || (e.url?.length ?? 0) > 3000))) {
      problems.push('invalid_blocks: actions');
    }
  }
  return problems;
}

/**
 * Local Slack and Discord incoming-webhook receivers (real HTTP): Slack answers `200 ok`,
 * Discord `204`, both check their documented message limits, and tests can script failures
 * (500, 429 with Slack's Retry-After header or Discord's retry_after body) per webhook URL.
 */
export async function startFakeChatWebhooks(): Promise<FakeChatWebhooks> {
  const scripted = new Map<string, ScriptedChatResponse[]>();
  const messages: ReceivedChatMessage[] = [];
  const attempts: ReceivedChatMessage[] = [];
  const sockets = new Set<Socket>();
  let counter = 0;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const provider = path.startsWith('/slack/') ? 'slack' : path.startsWith('/discord/') ? 'discord' : undefined;
      if (req.method !== 'POST' || !provider) {
        res.writeHead(404).end('no_service');
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('invalid_payload');
        return;
      }
      const message = { provider, path, body, receivedAt: Date.now() } as ReceivedChatMessage;
      attempts.push(message);
      const next = scripted.get(path)?.shift();
      if (next) {
        res.writeHead(next.status, { 'content-type': typeof next.body === 'string' ? 'text/plain' : 'application/json', ...next.headers });
        res.end(next.body === undefined ? '' : typeof next.body === 'string' ? next.body : JSON.stringify(next.body));
        return;
      }
      const problems = provider === 'slack' ? slackProblems(body) : discordProblems(body);
      if (problems.length) {
        res.writeHead(400, { 'content-type': provider === 'slack' ? 'text/plain' : 'application/json' });
        res.end(provider === 'slack' ? problems.join('; ') : JSON.stringify({ code: 50035, message: 'Invalid Form Body', errors: problems }));
        return;
      }
      messages.push(message);
      if (provider === 'slack') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      else res.writeHead(204).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    slackUrl: (name = `hook${++counter}`) => `${baseUrl}/slack/T000/B000/${name}`,
    discordUrl: (name = `hook${++counter}`) => `${baseUrl}/discord/123456/${name}`,
    messages,
    attempts,
    respond: (url, ...responses) => {
      const path = new URL(url).pathname;
      scripted.set(path, [...(scripted.get(path) ?? []), ...responses]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
