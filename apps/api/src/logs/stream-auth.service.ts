import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { createHmac } from 'node:crypto';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { ApiConfig } from '../config/api.config';
import { LogStore } from './log-store.service';

const STREAM_TOKEN_AUDIENCE = 'epitrace:log-stream';

export interface StreamToken {
  token: string;
  expiresAt: Date;
}

/**
 * Who is reading logs. A login JWT in the Authorization header, or (for EventSource, which
 * cannot set headers) a short-lived stream token in the query. Stream tokens are signed with a
 * key derived from JWT_SECRET, so one can never be replayed as a login token anywhere else.
 */
@Injectable()
export class StreamAuthService {
  private readonly loginJwt: JwtService;
  private readonly streamJwt: JwtService;
  private readonly ttlSeconds: number;

  constructor(
    @Inject(APP_CONFIG) config: ApiConfig,
    private readonly store: LogStore,
  ) {
    this.loginJwt = new JwtService({ secret: config.JWT_SECRET, verifyOptions: { algorithms: ['HS256'] } });
    const streamKey = createHmac('sha256', config.JWT_SECRET).update(STREAM_TOKEN_AUDIENCE).digest('base64');
    this.streamJwt = new JwtService({ secret: streamKey, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } });
    this.ttlSeconds = config.LOG_STREAM_TOKEN_TTL_SECONDS;
  }

  /** The user id behind the request's bearer JWT; 401 `{error}` otherwise. */
  async userFromHeader(req: Request): Promise<string> {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw unauthorized('Missing bearer token');
    const userId = await this.verify(this.loginJwt, match[1]);
    return this.existingUser(userId);
  }

  /** Header first; otherwise the `token` query parameter, which must be a stream token. */
  async userFromHeaderOrStreamToken(req: Request, queryToken: string | undefined): Promise<string> {
    if (req.headers.authorization || !queryToken) return this.userFromHeader(req);
    const userId = await this.verify(this.streamJwt, queryToken, STREAM_TOKEN_AUDIENCE);
    return this.existingUser(userId);
  }

  async issueStreamToken(userId: string): Promise<StreamToken> {
    const token = await this.streamJwt.signAsync({ sub: userId }, { audience: STREAM_TOKEN_AUDIENCE, expiresIn: this.ttlSeconds });
    return { token, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  private async verify(jwt: JwtService, token: string, audience?: string): Promise<string> {
    let payload: { sub?: unknown; id?: unknown; userId?: unknown };
    try {
      payload = await jwt.verifyAsync(token, audience ? { audience } : {});
    } catch {
      throw unauthorized('Invalid or expired token');
    }
    const userId = payload.sub ?? payload.userId ?? payload.id;
    if (typeof userId !== 'string' || !UUID.test(userId)) throw unauthorized('Invalid or expired token');
    return userId.toLowerCase();
  }

  private async existingUser(userId: string): Promise<string> {
    if (!(await this.store.userExists(userId))) throw unauthorized('Invalid or expired token');
    return userId;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function unauthorized(error: string): UnauthorizedException {
  return new UnauthorizedException({ error });
}
