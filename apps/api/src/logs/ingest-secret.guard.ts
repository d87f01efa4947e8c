import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG } from '@epitrace/nest-common';
import { INGEST_SECRET_HEADER } from '@epitrace/queue-contracts';
import type { ApiConfig } from '../config/api.config';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The internal log ingest is for the code worker only: it must present INGEST_SECRET. */
@Injectable()
export class IngestSecretGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(APP_CONFIG) config: ApiConfig) {
    this.expected = digest(config.INGEST_SECRET);
  }

  canActivate(context: ExecutionContext): boolean {
    const presented = context.switchToHttp().getRequest<Request>().headers[INGEST_SECRET_HEADER];
    // Comparing digests keeps the comparison constant-time whatever the presented length.
    if (typeof presented === 'string' && presented && timingSafeEqual(digest(presented), this.expected)) return true;
    throw new UnauthorizedException({ error: 'Missing or invalid ingest secret' });
  }
}
