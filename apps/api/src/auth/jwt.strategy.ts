import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { ApiConfig } from '../config/api.config';
import { UsersService } from '../users/users.service';
import type { AccessTokenClaims, AuthenticatedUser } from './authenticated-user';

export const JWT_ALGORITHM = 'HS256';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: ApiConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.JWT_SECRET,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  /** A token of a deleted account (e.g. after a reset) is no longer accepted. */
  async validate(claims: AccessTokenClaims): Promise<AuthenticatedUser | false> {
    if (typeof claims?.sub !== 'string') return false;
    const user = await this.users.findById(claims.sub).catch((err: unknown) => {
      if ((err as { driverError?: { code?: string } }).driverError?.code === '22P02') return null; // sub is not a uuid
      throw err;
    });
    return user ? { id: user.id, email: user.email } : false;
  }
}
