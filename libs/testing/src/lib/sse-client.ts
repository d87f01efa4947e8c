import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

export interface SseConnection {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** The `log` events' parsed data. */
  logs(): Array<Record<string, unknown> & { id: string; message: string; jobId: string | null }>;
  /** Resolves when `predicate` holds for the events received (checked on every event). */
  until(predicate: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  /** The body of a non-200 response, parsed. */
  json(): Promise<unknown>;
  /** Stops reading from the socket (a slow client). */
  pause(): void;
  close(): void;
  raw: { req: ClientRequest; res: IncomingMessage };
}

/** A minimal EventSource over node:http that exposes everything a test wants to look at. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      const events: SseEvent[] = [];
      const waiters: Array<() => void> = [];
      let buffer = '';
      let body = '';
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
        res.on('error', () => done());
      });
      res.on('data', (chunk: string) => {
        if (res.statusCode !== 200) {
          body += chunk;
          return;
        }
        buffer += chunk;
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const event: SseEvent = { event: 'message', id: null, data: '' };
          const data: string[] = [];
          let hasField = false;
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon === 0) continue;
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event.event = value;
            else if (field === 'id') event.id = value;
            else if (field === 'data') data.push(value);
            else continue;
            hasField = true;
          }
          if (!hasField || (event.event === 'message' && !data.length)) continue;
          event.data = data.join('\n');
          events.push(event);
        }
        for (const w of [...waiters]) w();
      });
      const connection: SseConnection = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        logs: () => events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data)),
        until(predicate, timeoutMs = 10_000) {
          return new Promise((done, fail) => {
            const check = () => {
              if (predicate(events)) {
                clearTimeout(timer);
                waiters.splice(waiters.indexOf(check), 1);
                done(events);
              }
            };
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(check), 1);
              fail(new Error(`SSE condition not met within ${timeoutMs} ms; got ${events.length} events: ${JSON.stringify(events.slice(-5))}`));
            }, timeoutMs);
            waiters.push(check);
            void ended.then(() => setTimeout(check, 0));
            check();
          });
        },
        ended,
        json: async () => {
          await ended;
          return JSON.parse(body);
        },
        pause: () => res.pause(),
        close: () => req.destroy(),
        raw: { req, res },
      };
      resolve(connection);
    });
    req.on('error', reject);
    req.end();
  });
}
