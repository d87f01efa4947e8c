import { Injectable } from '@nestjs/common';

export type SendResult =
  | { kind: 'sent'; status: number }
  /** Worth retrying: network error, timeout, 5xx, 408. */
  | { kind: 'retry'; error: string }
  /** Rate limited: wait this long (Slack's Retry-After header, Discord's retry_after). */
  | { kind: 'rate-limited'; retryAfterMs: number; error: string }
  /** Will not heal by retrying: a deleted webhook (404), a rejected payload (400)… */
  | { kind: 'rejected'; error: string };

/** POSTs one JSON message to a Slack or Discord incoming webhook and classifies the answer. */
@Injectable()
export class WebhookSender {
  async post(url: string, body: unknown, timeoutMs: number): Promise<SendResult> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'EpiTrace-Alerts' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.name);
      return { kind: 'retry', error: `network error: ${why}` };
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { kind: 'sent', status: res.status };
    const snippet = text.replace(/\s+/g, ' ').slice(0, 200);
    if (res.status === 429) return { kind: 'rate-limited', retryAfterMs: retryAfterMs(res.headers, text), error: `HTTP 429 ${snippet}`.trim() };
    if (res.status >= 500 || res.status === 408) return { kind: 'retry', error: `HTTP ${res.status} ${snippet}`.trim() };
    return { kind: 'rejected', error: `HTTP ${res.status} ${snippet}`.trim() };
  }
}

/** Discord sends `retry_after` in seconds (float) in the body and headers; Slack a Retry-After header in seconds. */
export function retryAfterMs(headers: Headers, body: string): number {
  try {
    const parsed = JSON.parse(body) as { retry_after?: unknown };
    if (typeof parsed.retry_after === 'number' && parsed.retry_after >= 0) return Math.ceil(parsed.retry_after * 1000);
  } catch {
    // not JSON (Slack answers 429 with plain text)
  }
  const header = headers.get('retry-after') ?? headers.get('x-ratelimit-reset-after');
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return 1_000;
}
