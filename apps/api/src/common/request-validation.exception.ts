import { ArgumentMetadata, HttpStatus, UnprocessableEntityException, ValidationError, ValidationPipe } from '@nestjs/common';

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

/**
 * One error per field. class-validator evaluates a property's decorators bottom-up, so the last
 * failed constraint is the top-most decorator: the basic one ("is required", "must be a string")
 * that makes the others meaningless when it fails (IsDefined excepted, see below).
 */
function toFieldErrors(errors: ValidationError[], parent: (string | number)[] = []): FieldError[] {
  return errors.flatMap((error) => {
    const key = /^\d+$/.test(error.property) ? Number(error.property) : error.property;
    const path = [...parent, key];
    const constraints = error.constraints ?? {};
    const messages = Object.values(constraints);
    // IsDefined is checked before the others, so it is first rather than last.
    const message = constraints['isDefined'] ?? messages[messages.length - 1];
    const own = message ? [{ path, message }] : [];
    return [...own, ...toFieldErrors(error.children ?? [], path)];
  });
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Path of the first key that Nest's pipe would silently delete (it strips them against prototype pollution). */
function prototypeKeyPath(value: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | null {
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, Array.isArray(value) ? Number(key) : key];
    if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) return childPath;
    const found = prototypeKeyPath(child, childPath, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Two refusals on top of ValidationPipe: a DTO body must be a JSON object (an array or scalar
 * would be validated key by key), and keys like `__proto__` are refused with a 422 instead of
 * being dropped silently, which would store something other than what the user sent.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata) {
    const isDtoBody = metadata.type === 'body' && typeof metadata.metatype === 'function' && this.toValidate(metadata);
    if (isDtoBody && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new RequestValidationException([{ path: [], message: 'the request body must be a JSON object' }]);
    }
    const protoPath = prototypeKeyPath(value);
    if (protoPath) {
      throw new RequestValidationException([{ path: protoPath, message: `keys named ${[...PROTOTYPE_KEYS].join(', ')} are not accepted` }]);
    }
    return super.transform(value, metadata);
  }
}

/**
 * The global pipe: strips nothing silently (unknown fields are an error), converts query and
 * path strings to the DTO's types, and reports every problem with its path.
 */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
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
