import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { redactSecrets } from '@epitrace/secrets';
import { clientErrorForDatabaseError, isDatabaseUnavailable } from './database-errors';
import { RequestValidationException } from './request-validation.exception';

interface ErrorReply {
  status: number;
  body: Record<string, unknown>;
}

/** body-parser and friends report client mistakes as plain errors with `status` and `expose`. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  limit?: number;
  message?: string;
}

const UNKNOWN_ROUTE = /^Cannot [A-Z]+ /;

/**
 * Every failure leaves the API in one of the contract's envelopes:
 * 422 `{success:false, errors}` for validation, `{error}` for everything else, and for real bugs
 * a 500 `{error:"Internal server error", errorId}` whose id is in the log next to the stack.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@InjectPinoLogger('ApiExceptionFilter') private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const reply = this.toReply(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(reply.status).json(reply.body);
  }

  private toReply(exception: unknown, req: Request): ErrorReply {
    if (exception instanceof RequestValidationException) {
      return { status: HttpStatus.UNPROCESSABLE_ENTITY, body: { success: false, errors: exception.errors } };
    }
    if (exception instanceof HttpException) return this.fromHttpException(exception);

    const httpLike = exception as HttpLikeError | null;
    const status = httpLike?.status ?? httpLike?.statusCode;
    if (httpLike?.expose && typeof status === 'number' && status >= 400 && status < 500) {
      return { status, body: { error: this.describeClientError(httpLike, status) } };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ path: req.path, err: this.safeError(exception) }, 'database unavailable');
      return { status: HttpStatus.SERVICE_UNAVAILABLE, body: { error: 'Service temporarily unavailable (database unreachable), try again shortly' } };
    }
    const clientError = clientErrorForDatabaseError(exception);
    if (clientError) return { status: clientError.status, body: { error: clientError.message } };

    const errorId = randomUUID();
    this.logger.error({ errorId, method: req.method, path: req.path, err: this.safeError(exception) }, 'unhandled error');
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: 'Internal server error', errorId } };
  }

  private fromHttpException(exception: HttpException): ErrorReply {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return { status, body: { error: response } };
    const { message, statusCode: _statusCode, ...rest } = response as { message?: unknown; statusCode?: unknown; error?: unknown };
    if (message === undefined && typeof rest.error === 'string') {
      // A handler threw its own envelope, e.g. `new ConflictException({ error, fixJobId })`: keep its extra fields.
      return { status, body: rest };
    }
    let text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
    if (status === HttpStatus.NOT_FOUND && UNKNOWN_ROUTE.test(text)) text = 'Not found';
    if (status === HttpStatus.BAD_REQUEST && /JSON/.test(text)) text = `Malformed JSON body: ${text}`;
    return { status, body: { error: text } };
  }

  private describeClientError(err: HttpLikeError, status: number): string {
    if (status === HttpStatus.PAYLOAD_TOO_LARGE) {
      return `Request body too large${err.limit ? ` (limit ${err.limit} bytes)` : ''}`;
    }
    if (err.type === 'entity.parse.failed') {
      // JSON.parse (with a reviver) recurses, so absurd nesting fails as a stack overflow.
      return `Malformed JSON body: ${/call stack/i.test(err.message ?? '') ? 'nested too deeply' : err.message}`;
    }
    return err.message ?? 'Bad request';
  }

  /** Query parameters and error details may hold credentials: log only a redacted message and stack. */
  private safeError(exception: unknown) {
    const err = exception instanceof Error ? exception : new Error(String(exception));
    const code = (exception as { code?: unknown } | null)?.code;
    return { type: err.name, message: redactSecrets(err.message), stack: err.stack ? redactSecrets(err.stack) : undefined, code };
  }
}
