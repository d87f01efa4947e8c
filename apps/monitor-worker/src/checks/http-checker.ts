import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent, Dispatcher, errors, interceptors, request } from 'undici';
import { APP_CONFIG } from '@epitrace/nest-common';
import { redactSecrets } from '@epitrace/secrets';
import type { MonitorWorkerConfig } from '../config/monitor-worker.config';
import type { CheckOutcome, CheckTarget } from './check-target';
import { publicOnlyConnector } from './public-address.guard';

const MAX_ERROR_LENGTH = 500;
/** A keyword is searched in the first megabyte of the body; the rest is not downloaded. */
const MAX_KEYWORD_BODY_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;
const USER_AGENT = 'EpiTrace-Monitor/1.0';

class CheckDeadlineError extends Error {}

/**
 * One HTTP(S) check with undici: a single total deadline (the monitor's timeout) covers DNS,
 * connect, headers and body. Addresses are cached (undici's DNS interceptor) so thousands of
 * checks a second do not queue on the libuv pool behind getaddrinfo.
 */
@Injectable()
export class HttpChecker implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly direct: Dispatcher;
  private readonly redirecting: Dispatcher;

  constructor(@Inject(APP_CONFIG) config: MonitorWorkerConfig) {
    this.agent = new Agent({
      keepAliveTimeout: 4_000,
      connections: null,
      // Multi-tenant installs: monitors may only reach public addresses (SSRF guard).
      connect: config.CHECK_PUBLIC_TARGETS_ONLY ? publicOnlyConnector() : undefined,
    });
    const dns = config.CHECK_DNS_CACHE_TTL_MS > 0 ? [interceptors.dns({ maxTTL: config.CHECK_DNS_CACHE_TTL_MS })] : [];
    this.direct = this.agent.compose(...dns);
    this.redirecting = this.agent.compose(...dns, interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
  }

  async check(target: CheckTarget): Promise<CheckOutcome> {
    const deadlineMs = target.timeout * 1000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new CheckDeadlineError()), deadlineMs);
    const started = performance.now();
    try {
      const res = await request(target.url, {
        method: target.method,
        headers: this.headersOf(target),
        body: this.bodyOf(target),
        signal: controller.signal,
        dispatcher: target.followRedirects ? this.redirecting : this.direct,
        // The total deadline above is the only one; undici's own per-phase timeouts stay out of the way.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      const body = target.keyword ? await this.readText(res.body) : (await res.body.dump({ limit: 64 * 1024 }), '');
      const responseTimeMs = Math.round(performance.now() - started);
      return { ...this.judge(target, res.statusCode, body, responseTimeMs), statusCode: res.statusCode, responseTimeMs };
    } catch (err) {
      const aborted = controller.signal.aborted;
      return {
        status: 'DOWN',
        statusCode: null,
        responseTimeMs: null,
        errorMessage: this.describe(aborted ? `timed out after ${target.timeout}s` : this.errorText(err), target),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private judge(target: CheckTarget, statusCode: number, body: string, responseTimeMs: number): Pick<CheckOutcome, 'status' | 'errorMessage'> {
    const down = (message: string) => ({ status: 'DOWN' as const, errorMessage: this.describe(message, target) });
    if (!target.expectedStatusRanges.some((r) => statusCode >= r.min && statusCode <= r.max)) {
      const expected = target.expectedStatusRanges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(', ');
      return down(`unexpected status ${statusCode} (expected ${expected})`);
    }
    if (target.keyword) {
      const found = body.includes(target.keyword);
      if (target.keywordMode === 'present' && !found) return down(`keyword "${target.keyword}" not found in the response`);
      if (target.keywordMode === 'absent' && found) return down(`keyword "${target.keyword}" found in the response`);
    }
    if (target.maxResponseTimeMs !== null && responseTimeMs > target.maxResponseTimeMs) {
      return down(`response took ${responseTimeMs} ms (limit ${target.maxResponseTimeMs} ms)`);
    }
    return { status: 'UP', errorMessage: null };
  }

  private headersOf(target: CheckTarget): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    for (const [k, v] of Object.entries(target.requestHeader ?? {})) headers[k.toLowerCase()] = String(v);
    if (this.bodyOf(target) !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return headers;
  }

  private bodyOf(target: CheckTarget): string | undefined {
    if (target.method === 'GET' || target.requestBody === null || target.requestBody === undefined) return undefined;
    return typeof target.requestBody === 'string' ? target.requestBody : JSON.stringify(target.requestBody);
  }

  private async readText(body: Dispatcher.ResponseData['body']): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= MAX_KEYWORD_BODY_BYTES) {
        body.destroy();
        break;
      }
    }
    return Buffer.concat(chunks).subarray(0, MAX_KEYWORD_BODY_BYTES).toString('utf8');
  }

  private errorText(err: unknown): string {
    if (err instanceof errors.UndiciError || err instanceof Error) {
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      const code = (err as { code?: string }).code ?? cause?.code;
      const message = cause?.message && cause.message !== err.message ? `${err.message}: ${cause.message}` : err.message;
      return code && !message.includes(code) ? `${code}: ${message}` : message;
    }
    return String(err);
  }

  /** Header values and the body are the monitor owner's secrets as far as we know: never in messages. */
  private describe(message: string, target: CheckTarget): string {
    const known = [...Object.values(target.requestHeader ?? {}).map(String), this.bodyOf(target)];
    return redactSecrets(message, known).slice(0, MAX_ERROR_LENGTH);
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }
}
