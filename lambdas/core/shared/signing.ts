// Signed links (confirm, preferences, unsubscribe): HMAC-SHA256 over subscriber, purpose and expiry, compared in
// constant time. A token is `<subscriberId>.<purpose>.<expiresEpochSeconds>.<base64url mac>`; it carries no email.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors.js';

export type TokenPurpose = 'confirm' | 'prefs' | 'unsub';

export interface TokenClaims {
  subscriberId: string;
  purpose: TokenPurpose;
  expiresAt: Date;
}

const mac = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function signToken(claims: TokenClaims, secret: string): string {
  const payload = `${claims.subscriberId}.${claims.purpose}.${Math.floor(claims.expiresAt.getTime() / 1000)}`;
  return `${payload}.${mac(payload, secret)}`;
}

/** Verifies a token for one purpose. Throws DomainError 'token.invalid' (tampered, wrong purpose) or 'token.expired'. */
export function verifyToken(token: string, purpose: TokenPurpose, secret: string, now: Date): TokenClaims {
  const parts = token.split('.');
  const invalid = new DomainError('forbidden', 'token.invalid', 'This link is not valid. Use the latest link we emailed you.');
  if (parts.length !== 4) throw invalid;
  const [subscriberId, tokenPurpose, expires, given] = parts as [string, string, string, string];
  const expected = mac(`${subscriberId}.${tokenPurpose}.${expires}`, secret);
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b) || tokenPurpose !== purpose) throw invalid;
  const expiresAt = new Date(Number(expires) * 1000);
  if (!(expiresAt.getTime() > now.getTime())) {
    throw new DomainError('forbidden', 'token.expired', 'This link has expired. Ask for a new one from the subscribe page.');
  }
  return { subscriberId, purpose, expiresAt };
}
