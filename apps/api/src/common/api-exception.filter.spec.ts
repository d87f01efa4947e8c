import { ArgumentsHost, ConflictException, NotFoundException } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { ApiExceptionFilter } from './api-exception.filter';
import { RequestValidationException } from './request-validation.exception';

function run(exception: unknown) {
  const logged: { level: string; fields: Record<string, unknown> }[] = [];
  const logger = {
    error: (fields: Record<string, unknown>) => logged.push({ level: 'error', fields }),
    warn: (fields: Record<string, unknown>) => logged.push({ level: 'warn', fields }),
  } as unknown as PinoLogger;
  const reply: { status?: number; body?: unknown } = {};
  const res = {
    headersSent: false,
    status(code: number) {
      reply.status = code;
      return this;
    },
    json(body: unknown) {
      reply.body = body;
      return this;
    },
  };
  const req = { method: 'GET', path: '/monitor' };
  const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }) } as unknown as ArgumentsHost;
  new ApiExceptionFilter(logger).catch(exception, host);
  return { ...reply, logged };
}

describe('ApiExceptionFilter', () => {
  it('answers a bug with 500, an errorId, and logs the same id with a redacted stack', () => {
    const { status, body, logged } = run(new Error('boom with ghp_0123456789abcdefghijABCDEFGHIJ inside'));
    expect(status).toBe(500);
    expect(body).toEqual({ error: 'Internal server error', errorId: expect.any(String) });
    expect(logged).toHaveLength(1);
    expect(logged[0].fields['errorId']).toBe((body as { errorId: string }).errorId);
    expect(JSON.stringify(logged)).not.toContain('ghp_0123456789');
  });

  it('keeps the message of HTTP exceptions and extra fields of a thrown envelope', () => {
    expect(run(new NotFoundException('Monitor not found'))).toMatchObject({ status: 404, body: { error: 'Monitor not found' } });
    expect(run(new ConflictException({ error: 'Fix already running', fixJobId: 'x' }))).toMatchObject({
      status: 409,
      body: { error: 'Fix already running', fixJobId: 'x' },
    });
    expect(run(new NotFoundException('Cannot GET /nope'))).toMatchObject({ status: 404, body: { error: 'Not found' } });
  });

  it('renders validation failures in the 422 envelope', () => {
    const { status, body } = run(new RequestValidationException([{ path: ['name'], message: 'name must be a string' }]));
    expect(status).toBe(422);
    expect(body).toEqual({ success: false, errors: [{ path: ['name'], message: 'name must be a string' }] });
  });

  it('passes exposed 4xx errors of body parsing through without logging them as bugs', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true, limit: 1024 });
    const { status, body, logged } = run(tooLarge);
    expect(status).toBe(413);
    expect(body).toEqual({ error: 'Request body too large (limit 1024 bytes)' });
    expect(logged).toEqual([]);
  });
});
