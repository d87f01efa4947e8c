import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/api-responses';
import type { AuthenticatedUser } from './authenticated-user';
import { JwtAuthGuard } from './jwt-auth.guard';

/**
 * Requires a valid `Authorization: Bearer <jwt>` and documents it in Swagger.
 * Use on a controller or a handler; read the caller with `@CurrentUser()`.
 */
export function Authenticated() {
  return applyDecorators(
    UseGuards(JwtAuthGuard),
    ApiBearerAuth('bearer'),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid or expired bearer token' }),
  );
}

/** The caller `{ id, email }` of an `@Authenticated()` route. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user;
  if (!user) throw new Error('@CurrentUser() used on a route without @Authenticated()');
  return { id: user.id, email: user.email };
});
