import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a fix-link token says: which incident, which single-use row (`jti`), until when. */
export interface FixTokenClaims {
  jti: string;
  incidentId: string;
  expiresAt: Date;
}

export type FixTokenSignatureCheck =
  | { ok: true; claims: FixTokenClaims }
  | { ok: false; status: 'invalid'; reason: string }
  | { ok: false; status: 'expired'; claims: FixTokenClaims };

function sign(body: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${body}`).digest();
}

/** `v1.<base64url JSON {jti, inc, exp}>.<base64url HMAC-SHA256>`: short enough for a chat link. */
export function signFixToken(claims: FixTokenClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify({ jti: claims.jti, inc: claims.incidentId, exp: Math.floor(claims.expiresAt.getTime() / 1000) })).toString('base64url');
  return `${VERSION}.${body}.${sign(body, secret).toString('base64url')}`;
}

export function newFixTokenClaims(incidentId: string, ttlMs: number, now = new Date()): FixTokenClaims {
  return { jti: randomUUID(), incidentId, expiresAt: new Date(now.getTime() + ttlMs) };
}

/**
 * Checks the signature (constant time) and the expiry, without touching the database. The
 * signature is checked before the payload is even parsed, so a forged token learns nothing.
 */
export function checkFixTokenSignature(token: string, secret: string, now = new Date()): FixTokenSignatureCheck {
  if (typeof token !== 'string' || token.length > 1000) return { ok: false, status: 'invalid', reason: 'malformed token' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) return { ok: false, status: 'invalid', reason: 'malformed token' };
  const [, body, signature] = parts;
  const expected = sign(body, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 'invalid', reason: 'bad signature' };
  let payload: { jti?: unknown; inc?: unknown; exp?: unknown };
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, status: 'invalid', reason: 'malformed token' };
  }
  if (typeof payload.jti !== 'string' || !UUID.test(payload.jti) || typeof payload.inc !== 'string' || !UUID.test(payload.inc) || typeof payload.exp !== 'number') {
    return { ok: false, status: 'invalid', reason: 'malformed token' };
  }
  const claims = { jti: payload.jti, incidentId: payload.inc, expiresAt: new Date(payload.exp * 1000) };
  if (claims.expiresAt.getTime() <= now.getTime()) return { ok: false, status: 'expired', claims };
  return { ok: true, claims };
}
