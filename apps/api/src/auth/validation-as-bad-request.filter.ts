import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { RequestValidationException } from '../common/request-validation.exception';

/**
 * The contract answers bad auth bodies (missing fields, mismatch) with 400 `{error}`, not 422;
 * the field list is kept alongside for clients that want it.
 */
@Catch(RequestValidationException)
export class ValidationAsBadRequestFilter implements ExceptionFilter {
  catch(exception: RequestValidationException, host: ArgumentsHost): void {
    const first = exception.errors[0];
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(HttpStatus.BAD_REQUEST)
      .json({ error: first?.message ?? 'Invalid request', errors: exception.errors });
  }
}
