// Signed links (confirm, preferences, unsubscribe, undo): HMAC-SHA256 over subscriber, purpose, expiry and the
// subscriber's link version, compared in constant time. A token is
// `<subscriberId>.<purpose>.<expiresEpochSeconds>[.<linkVersion>].<base64url mac>`; it carries no email. Version 0 is
// written without its field, so every link sent before versions existed still verifies (as version 0). A link for one
// thing (one edition's web version) is also signed over that thing's id, its scope, which the URL carries beside the
// token: the same token names no other edition. A token without a scope signs exactly as before.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors.js';

export type TokenPurpose = 'confirm' | 'prefs' | 'unsub' | 'undo' | 'view';

export interface TokenClaims {
  subscriberId: string;
  purpose: TokenPurpose;
  expiresAt: Date;
  /** The subscriber's link version when the token was signed; a revoke bumps the stored one. Absent = 0. */
  linkVersion?: number;
  /** What the token is for beyond its purpose (an edition id); signed, not written in the token. */
  scope?: string;
}

/** Thrown instead of signing or verifying with an empty key: a missing secret must never yield forgeable links. */
export class MissingSigningSecretError extends Error {
  override name = 'MissingSigningSecretError';
  constructor() {
    super('No signing secret: set SIGNING_SECRET (at least 32 characters). Signed links are refused without one.');
  }
}

const mac = (payload: string, secret: string, scope?: string) => {
  if (!secret) throw new MissingSigningSecretError();
  // A newline never occurs in a payload, so a scoped MAC never equals an unscoped one.
  return createHmac('sha256', secret).update(scope === undefined ? payload : `${payload}\n${scope}`).digest('base64url');
};

/** The MAC of any payload, for signed values other than subscriber links (click links). */
export const signPayload = (payload: string, secret: string): string => mac(payload, secret);

/** True when `given` is the payload's MAC; compared in constant time. */
export function payloadSigned(payload: string, given: string, secret: string, scope?: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(mac(payload, secret, scope));
  return a.length === b.length && timingSafeEqual(a, b);
}

const versionField = /^[1-9]\d{0,8}$/;

export function signToken(claims: TokenClaims, secret: string): string {
  const version = claims.linkVersion ?? 0;
  if (!Number.isInteger(version) || version < 0) throw new RangeError('linkVersion must be a whole number ≥ 0');
  const expires = Math.floor(claims.expiresAt.getTime() / 1000);
  const payload = `${claims.subscriberId}.${claims.purpose}.${expires}${version ? `.${version}` : ''}`;
  return `${payload}.${mac(payload, secret, claims.scope)}`;
}

/** Verifies a token for one purpose (and the scope it was signed over, if any). Throws DomainError 'token.invalid'
 *  (malformed, tampered, another scope), 'token.wrongPurpose' (a genuine link of another kind) or 'token.expired'. */
export function verifyToken(token: string, purpose: TokenPurpose, secret: string, now: Date, scope?: string): TokenClaims {
  const parts = token.split('.');
  const invalid = new DomainError('forbidden', 'token.invalid', 'This link is not valid. Use the latest link we emailed you.');
  if (parts.length !== 4 && parts.length !== 5) throw invalid;
  const given = parts.pop()!;
  const [subscriberId, tokenPurpose, expires, version = '0'] = parts as [string, string, string, string?];
  if (parts.length === 4 && !versionField.test(version)) throw invalid;
  if (!payloadSigned(parts.join('.'), given, secret, scope)) throw invalid;
  if (tokenPurpose !== purpose) throw wrongPurpose(purpose);
  const expiresAt = new Date(Number(expires) * 1000);
  if (!(expiresAt.getTime() > now.getTime())) {
    throw new DomainError('forbidden', 'token.expired', 'This link has expired. Ask for a new one from the subscribe page.');
  }
  return { subscriberId, purpose, expiresAt, linkVersion: Number(version), ...(scope === undefined ? {} : { scope }) };
}

const wrongPurposeMessages: Record<TokenPurpose, string> = {
  confirm: 'This link is not valid for confirming a subscription. Use the link in your confirmation email.',
  prefs: 'This link is not valid for your preferences (an unsubscribe link can only unsubscribe). To see, change, export or delete your data, use the "preferences" link in one of our emails.',
  unsub: 'This link is not valid for unsubscribing. Use the unsubscribe link in one of our emails.',
  undo: 'This link is not valid for undoing an unsubscribe. Use the button shown right after you unsubscribed.',
  view: 'This link is not valid for reading an edition. Use the "view in your browser" link in that email.',
};

const wrongPurpose = (wanted: TokenPurpose) => new DomainError('forbidden', 'token.wrongPurpose', wrongPurposeMessages[wanted]);
