import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { ApiConfig } from '../config/api.config';

const AUDIENCE = 'epitrace:fix-status';
/**
 * Long enough for a page in a background tab to keep polling, short enough that a copied token
 * soon stops working. Every answer about a running job carries a renewed token, so a page that is
 * open follows a job of any length; once the job has finished, nothing renews it.
 */
export const FIX_STATUS_TOKEN_TTL_SECONDS = 15 * 60;
/** The header the status page sends its token in (never the URL, which ends up in logs). */
export const FIX_STATUS_TOKEN_HEADER = 'x-fix-status-token';

export interface FixStatusToken {
  token: string;
  expiresAt: Date;
}

/**
 * The capability an auto-fix status page polls with: "may read the status of fix job X until T".
 * It is only put on pages shown to someone who presented that job's alert link (whose single-use
 * token was checked first). Signed with a key derived from FIX_LINK_SECRET, so it is no use as a
 * fix link, a login or a stream token, nor for any other job.
 */
@Injectable()
export class FixStatusTokens {
  private readonly jwt: JwtService;

  constructor(@Inject(APP_CONFIG) config: ApiConfig) {
    const key = createHmac('sha256', config.FIX_LINK_SECRET).update(AUDIENCE).digest('base64');
    this.jwt = new JwtService({ secret: key, signOptions: { algorithm: 'HS256', audience: AUDIENCE }, verifyOptions: { algorithms: ['HS256'], audience: AUDIENCE } });
  }

  issue(fixJobId: string, now = new Date()): FixStatusToken {
    const exp = Math.floor(now.getTime() / 1000) + FIX_STATUS_TOKEN_TTL_SECONDS;
    return { token: this.jwt.sign({ sub: fixJobId, exp }), expiresAt: new Date(exp * 1000) };
  }

  /** 401 for a missing, forged or expired token; 403 for a token that names another job. */
  verify(token: string | undefined, fixJobId: string): void {
    if (!token) throw new UnauthorizedException({ error: 'Missing fix status token' });
    let payload: { sub?: unknown };
    try {
      payload = this.jwt.verify(token);
    } catch (err) {
      const expired = (err as Error).name === 'TokenExpiredError';
      throw new UnauthorizedException({ error: expired ? 'Fix status token expired: follow the job on the dashboard' : 'Invalid fix status token' });
    }
    if (payload.sub !== fixJobId) throw new ForbiddenException({ error: 'This fix status token is for another fix job' });
  }
}
