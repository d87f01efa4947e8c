import { HttpStatus, UnprocessableEntityException, ValidationError, ValidationPipe } from '@nestjs/common';

/** One problem with a request, in the contract's 422 shape: where it is and what is wrong. */
export interface FieldError {
  path: (string | number)[];
  message: string;
}

/** A request body, query or path that failed validation; answered 422 `{success:false, errors}`. */
export class RequestValidationException extends UnprocessableEntityException {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => (e.path.length ? `${e.path.join('.')}: ${e.message}` : e.message)).join('; '));
  }
}

function toFieldErrors(errors: ValidationError[], parent: (string | number)[] = []): FieldError[] {
  return errors.flatMap((error) => {
    const key = /^\d+$/.test(error.property) ? Number(error.property) : error.property;
    const path = [...parent, key];
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...toFieldErrors(error.children ?? [], path)];
  });
}

/**
 * The global pipe: strips nothing silently (unknown fields are an error), converts query and
 * path strings to the DTO's types, and reports every problem with its path.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    errorHttpStatusCode: HttpStatus.UNPROCESSABLE_ENTITY,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationException(toFieldErrors(errors)),
  });
}

/** For a handler-level check that is not expressible with decorators (e.g. "at least one field"). */
export function validationFailure(message: string, path: (string | number)[] = []): RequestValidationException {
  return new RequestValidationException([{ path, message }]);
}
