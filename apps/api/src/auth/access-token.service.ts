import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AccessTokenClaims } from './authenticated-user';
import { JWT_ALGORITHM } from './jwt.strategy';

/** Issues and checks access tokens; other modules use `verify` where a header cannot be sent (e.g. EventSource). */
@Injectable()
export class AccessTokenService {
  constructor(private readonly jwt: JwtService) {}

  issue(user: { id: string; email: string }): Promise<string> {
    const claims: AccessTokenClaims = { sub: user.id, email: user.email };
    return this.jwt.signAsync(claims);
  }

  /** The claims of a valid, unexpired token, or null. Does not check that the user still exists. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    try {
      const claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: [JWT_ALGORITHM] });
      return typeof claims.sub === 'string' ? claims : null;
    } catch {
      return null;
    }
  }
}
