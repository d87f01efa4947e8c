import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { FixTriggerToken } from '@epitrace/entities';
import { FixTokenClaims, checkFixTokenSignature, newFixTokenClaims, signFixToken } from './fix-token';

export interface FixLinkSettings {
  /** HMAC key of the tokens (FIX_LINK_SECRET), at least 32 characters. */
  secret: string;
  /** Where users reach the API, e.g. https://epitrace.example.com (no trailing slash needed). */
  publicUrl: string;
  /** How long a link stays valid; 24 h by default. */
  ttlMs?: number;
}

export const FIX_LINK_SETTINGS = Symbol('FIX_LINK_SETTINGS');
export const DEFAULT_FIX_LINK_TTL_MS = 24 * 60 * 60 * 1000;
export const FIX_LINK_PATH = '/alert/trigger-agent';

export interface FixLink {
  url: string;
  token: string;
  jti: string;
  incidentId: string;
  expiresAt: Date;
}

/**
 * How a presented token fares. `valid` (verify) and `claimed` (claim) are the good outcomes; the
 * others each deserve their own page or JSON error: `invalid` (forged or mangled: 400/403),
 * `expired` and `used` (410), `unknown` (signed by us but no such link: 404).
 */
export type FixTokenStatus =
  | { status: 'valid'; jti: string; incidentId: string; expiresAt: Date }
  | { status: 'claimed'; jti: string; incidentId: string; expiresAt: Date; usedAt: Date }
  | { status: 'invalid'; reason: string }
  | { status: 'expired'; jti: string; incidentId: string; expiresAt: Date }
  | { status: 'used'; jti: string; incidentId: string; usedAt: Date }
  | { status: 'unknown'; jti: string; incidentId: string };

/**
 * Signed, expiring, single-use auto-fix links. The signature proves EpiTrace made the link; the
 * `fix_trigger_tokens` row (inserted when the link is made) makes it single use: claiming is one
 * conditional UPDATE, so two clicks racing each other cannot both win.
 */
@Injectable()
export class FixLinkService {
  private readonly ttlMs: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(FIX_LINK_SETTINGS) private readonly settings: FixLinkSettings,
  ) {
    if (!settings.secret || settings.secret.length < 32) throw new Error('FixLinkService needs a secret of at least 32 characters');
    this.ttlMs = settings.ttlMs ?? DEFAULT_FIX_LINK_TTL_MS;
  }

  async createFixLink(incidentId: string, now = new Date()): Promise<FixLink> {
    const claims = newFixTokenClaims(incidentId, this.ttlMs, now);
    await this.dataSource.getRepository(FixTriggerToken).insert({ id: claims.jti, incidentId, expiresAt: claims.expiresAt, usedAt: null });
    const token = signFixToken(claims, this.settings.secret);
    return { url: this.linkFor(token), token, ...claims };
  }

  /**
   * The incident's current link when one is still unused and valid for at least `minRemainingMs`,
   * else a new one: a retried alert job or a follow-up message shows the same link as the first
   * alert instead of scattering several live ones. (The token is re-signed from its row: signing is
   * deterministic, so it is the very same token.)
   */
  async currentOrNewFixLink(incidentId: string, minRemainingMs = 60 * 60 * 1000, now = new Date()): Promise<FixLink> {
    const row = await this.dataSource
      .getRepository(FixTriggerToken)
      .createQueryBuilder('t')
      .where('t.incident_id = :incidentId', { incidentId })
      .andWhere('t.used_at IS NULL')
      .andWhere('t.expires_at > :until', { until: new Date(now.getTime() + minRemainingMs) })
      .orderBy('t.expires_at', 'DESC')
      .getOne();
    if (!row) return this.createFixLink(incidentId, now);
    const claims = { jti: row.id, incidentId, expiresAt: row.expiresAt };
    const token = signFixToken(claims, this.settings.secret);
    return { url: this.linkFor(token), token, ...claims };
  }

  linkFor(token: string): string {
    const base = this.settings.publicUrl.replace(/\/+$/, '');
    return `${base}${FIX_LINK_PATH}?token=${encodeURIComponent(token)}`;
  }

  /** Looks a token up without using it (e.g. for a confirmation page that link-preview bots may load). */
  async verifyFixToken(token: string, now = new Date(), manager: EntityManager = this.dataSource.manager): Promise<FixTokenStatus> {
    const checked = this.checkSignature(token, now);
    if ('status' in checked) return checked;
    const row = await manager.getRepository(FixTriggerToken).findOne({ where: { id: checked.jti } });
    return this.classifyRow(checked, row, now) ?? { status: 'valid', ...checked };
  }

  /**
   * Uses the token: succeeds exactly once. Pass a transaction's manager to make the claim and
   * whatever it starts (the fix job row) commit or roll back together.
   */
  async claimFixToken(token: string, now = new Date(), manager: EntityManager = this.dataSource.manager): Promise<FixTokenStatus> {
    const checked = this.checkSignature(token, now);
    if ('status' in checked) return checked;
    const rows: { used_at: Date }[] = await manager.query(
      // Wrapped in a SELECT because TypeORM returns [rows, count] for a bare UPDATE … RETURNING.
      `WITH claimed AS (
         UPDATE fix_trigger_tokens SET used_at = $3
          WHERE id = $1 AND incident_id = $2 AND used_at IS NULL AND expires_at > $3
          RETURNING used_at)
       SELECT used_at FROM claimed`,
      [checked.jti, checked.incidentId, now],
    );
    if (rows.length === 1) return { status: 'claimed', ...checked, usedAt: new Date(rows[0].used_at) };
    const row = await manager.getRepository(FixTriggerToken).findOne({ where: { id: checked.jti } });
    return this.classifyRow(checked, row, now) ?? { status: 'used', jti: checked.jti, incidentId: checked.incidentId, usedAt: now };
  }

  /** A fix can only be offered for a monitor with a repository and an active GitHub token linked to it. */
  async isFixAvailable(monitorId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM monitors m
         JOIN monitor_github_tokens mgt ON mgt.monitor_id = m.id
         JOIN github_tokens gt ON gt.id = mgt.github_token_id AND gt.is_active AND gt.user_id = m.user_id
        WHERE m.id = $1 AND coalesce(m.repo_link, '') <> ''
        LIMIT 1`,
      [monitorId],
    );
    return rows.length > 0;
  }

  private checkSignature(token: string, now: Date): FixTokenClaims | FixTokenStatus {
    const checked = checkFixTokenSignature(token, this.settings.secret, now);
    if (checked.ok) return checked.claims;
    if (checked.status === 'invalid') return { status: 'invalid', reason: checked.reason };
    return { status: 'expired', ...checked.claims };
  }

  private classifyRow(claims: FixTokenClaims, row: FixTriggerToken | null, now: Date): FixTokenStatus | undefined {
    if (!row || row.incidentId !== claims.incidentId) return { status: 'unknown', jti: claims.jti, incidentId: claims.incidentId };
    if (row.usedAt) return { status: 'used', jti: claims.jti, incidentId: claims.incidentId, usedAt: row.usedAt };
    if (row.expiresAt.getTime() <= now.getTime()) return { status: 'expired', ...claims, expiresAt: row.expiresAt };
    return undefined;
  }
}
