// Subscriber links: the confirm, preference and unsubscribe URLs (shared with newsletters), the List-Unsubscribe
// headers, each token's lifetime, and the address helpers (folding, suppression hash, masking). Pure.
import { createHmac } from 'node:crypto';
import { signToken, type TokenPurpose } from '../shared/signing.js';

// ---------------------------------------------------------------------------------------------------------------
// Links (used by every email: confirmation, newsletters, digests)
// ---------------------------------------------------------------------------------------------------------------

const trimBase = (baseUrl: string) => baseUrl.replace(/\/+$/, '');

/** Route paths of the subscriber-facing links. Pages for confirm and one-click unsubscribe live in the
 *  subscriptions route module; the preference page is served at `preferencesPath`. */
export const linkPaths = {
  confirm: '/confirm',
  preferences: '/preferences',
  unsubscribe: '/u',
} as const;

/** Link to the confirmation page (GET shows a button; the button POSTs). */
export function confirmUrl(baseUrl: string, token: string): string {
  return `${trimBase(baseUrl)}${linkPaths.confirm}/${encodeURIComponent(token)}`;
}

/** Link to the preference centre for a 'prefs' token. */
export function preferencesUrl(baseUrl: string, token: string): string {
  return `${trimBase(baseUrl)}${linkPaths.preferences}/${encodeURIComponent(token)}`;
}

/** One-click unsubscribe target for an 'unsub' token: `POST` with `List-Unsubscribe=One-Click` unsubscribes at once
 *  (RFC 8058); `GET` shows a page with a button and changes nothing. Also the visible unsubscribe link in bodies. */
export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${trimBase(baseUrl)}${linkPaths.unsubscribe}/${encodeURIComponent(token)}`;
}

/** RFC 8058 headers for one message: `List-Unsubscribe: <https://…>, <mailto:…>` and
 *  `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. `mailto` is an address (e.g. the sender's unsubscribe box);
 *  the subject carries the token so a mailto unsubscribe can be matched to the subscriber. */
export function listUnsubscribeHeaders(baseUrl: string, token: string, mailto?: string): Array<{ name: string; value: string }> {
  const parts = [`<${unsubscribeUrl(baseUrl, token)}>`];
  if (mailto) parts.push(`<mailto:${mailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>`);
  return [
    { name: 'List-Unsubscribe', value: parts.join(', ') },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

/** Token lifetimes. Confirmation links expire after 7 days; preference and unsubscribe links ride in every newsletter
 *  and must keep working for a long time (an old email's unsubscribe link must still unsubscribe). */
export const tokenLifetimeMs: Record<TokenPurpose, number> = {
  confirm: 7 * 24 * 3600 * 1000,
  prefs: 400 * 24 * 3600 * 1000,
  unsub: 400 * 24 * 3600 * 1000,
};

/** The signed tokens and links a newsletter needs for one subscriber. */
export function subscriberLinks(
  subscriberId: string,
  options: { baseUrl: string; secret: string; now: Date; mailto?: string },
): { prefsToken: string; unsubToken: string; preferencesUrl: string; unsubscribeUrl: string; headers: Array<{ name: string; value: string }> } {
  const at = options.now.getTime();
  const prefsToken = signToken({ subscriberId, purpose: 'prefs', expiresAt: new Date(at + tokenLifetimeMs.prefs) }, options.secret);
  const unsubToken = signToken({ subscriberId, purpose: 'unsub', expiresAt: new Date(at + tokenLifetimeMs.unsub) }, options.secret);
  return {
    prefsToken,
    unsubToken,
    preferencesUrl: preferencesUrl(options.baseUrl, prefsToken),
    unsubscribeUrl: unsubscribeUrl(options.baseUrl, unsubToken),
    headers: listUnsubscribeHeaders(options.baseUrl, unsubToken, options.mailto),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------------------------

/** Case-folds an address (whole address lower-cased, trimmed). */
export function foldEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Salted hash of a folded address: what the suppression list keeps once a record is erased. */
export function suppressionHash(email: string, salt: string): string {
  return createHmac('sha256', salt).update(foldEmail(email)).digest('hex');
}


