import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

export const UNAUTHORIZED_MESSAGE = 'Missing, invalid or expired bearer token';

@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<TUser>(err: unknown, user: TUser | false, _info: unknown, _context: ExecutionContext): TUser {
    if (err) throw err; // e.g. the database is down while loading the user: not the caller's fault
    if (!user) throw new UnauthorizedException(UNAUTHORIZED_MESSAGE);
    return user;
  }
}
