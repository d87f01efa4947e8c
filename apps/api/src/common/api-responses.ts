import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

export class ErrorResponseDto {
  @ApiProperty({ example: 'Monitor not found' })
  error: string;
}

export class InternalErrorResponseDto {
  @ApiProperty({ example: 'Internal server error' })
  error: string;

  @ApiProperty({ example: '0b8f6f43-3f57-4a0e-9d0f-0b6b0d1f2e11', description: 'Quote it when reporting the problem; it is in the server log.' })
  errorId: string;
}

export class FieldErrorDto {
  @ApiProperty({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }] }, example: ['check_interval'] })
  path: (string | number)[];

  @ApiProperty({ example: 'check_interval must not be less than 10' })
  message: string;
}

export class ValidationErrorResponseDto {
  @ApiProperty({ example: false })
  success: false;

  @ApiProperty({ type: [FieldErrorDto] })
  errors: FieldErrorDto[];
}

/** 422 in the contract's validation envelope. */
export const ApiValidationErrorResponse = () =>
  ApiResponse({ status: 422, type: ValidationErrorResponseDto, description: 'Invalid body, query or unknown fields' });

/** 404 `{error}` for a missing (or someone else's, or malformed) id. */
export const ApiNotFoundResponse = (thing: string) =>
  ApiResponse({ status: 404, type: ErrorResponseDto, description: `${thing} not found (also for another user's id or a malformed id)` });

export const ApiConflictResponse = (description: string) => ApiResponse({ status: 409, type: ErrorResponseDto, description });

/** The failures any route can answer, documented once. */
export const ApiCommonErrorResponses = () =>
  applyDecorators(
    ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Malformed JSON body' }),
    ApiResponse({ status: 413, type: ErrorResponseDto, description: 'Body larger than BODY_LIMIT' }),
    ApiResponse({ status: 500, type: InternalErrorResponseDto, description: 'A bug; the errorId is in the server log' }),
    ApiResponse({ status: 503, type: ErrorResponseDto, description: 'Database unreachable' }),
  );
