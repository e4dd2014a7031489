// Subscriber links: the confirm, preference and unsubscribe URLs (shared with newsletters), the List-Unsubscribe
// headers, each token's lifetime, and the address helpers (canonical form, validation, suppression hash, masking). Pure.
import { createHmac } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { invalid } from '../shared/errors.js';
import type { Language } from '../shared/language.js';
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
  view: '/view',
} as const;

/** `?lang=` on a link in an email: the page it opens speaks the email's language, whatever the browser prefers (the
 *  page language is the path prefix, else `?lang=`, else Accept-Language). It sits outside the signed token, so
 *  tokens and routes are unchanged; without a language the link is the bare path. */
const inLanguage = (url: string, lang: Language | undefined) => (lang ? `${url}?lang=${lang}` : url);

/** Link to the confirmation page (GET shows a button; the button POSTs). */
export function confirmUrl(baseUrl: string, token: string, lang?: Language): string {
  return inLanguage(`${trimBase(baseUrl)}${linkPaths.confirm}/${encodeURIComponent(token)}`, lang);
}

/** Link to the preference centre for a 'prefs' token. */
export function preferencesUrl(baseUrl: string, token: string, lang?: Language): string {
  return inLanguage(`${trimBase(baseUrl)}${linkPaths.preferences}/${encodeURIComponent(token)}`, lang);
}

/** One-click unsubscribe target for an 'unsub' token: `POST` with `List-Unsubscribe=One-Click` unsubscribes at once
 *  (RFC 8058: the mailbox provider posts to the URL as given, query included); `GET` shows a page with a button and
 *  changes nothing. Also the visible unsubscribe link in bodies. */
export function unsubscribeUrl(baseUrl: string, token: string, lang?: Language): string {
  return inLanguage(`${trimBase(baseUrl)}${linkPaths.unsubscribe}/${encodeURIComponent(token)}`, lang);
}

/** A subscriber's own web version of one edition (their items, in the email's language), for a 'view' token signed
 *  over that edition's id. */
export function viewUrl(baseUrl: string, editionId: string, token: string, lang?: Language): string {
  return inLanguage(`${trimBase(baseUrl)}${linkPaths.view}/${encodeURIComponent(editionId)}/${encodeURIComponent(token)}`, lang);
}

/** RFC 8058 headers for one message: `List-Unsubscribe: <https://…>, <mailto:…>` and
 *  `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. `mailto` is an address (e.g. the sender's unsubscribe box);
 *  the subject carries the token so a mailto unsubscribe can be matched to the subscriber. `lang` is the email's
 *  language, on the https link as on the body's. */
export function listUnsubscribeHeaders(baseUrl: string, token: string, mailto?: string, lang?: Language): Array<{ name: string; value: string }> {
  const parts = [`<${unsubscribeUrl(baseUrl, token, lang)}>`];
  if (mailto) parts.push(`<mailto:${mailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>`);
  return [
    { name: 'List-Unsubscribe', value: parts.join(', ') },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

/** Token lifetimes. Confirmation links expire after 7 days. Preference links ride in every newsletter for 400 days
 *  and die earlier when the subscriber's links are revoked (their link version moves on). Unsubscribe links also live
 *  400 days and survive a revoke: all they can do is unsubscribe, and an old email's unsubscribe must keep working
 *  (RFC 8058 sets no lifetime; Gmail and Yahoo expect a one-click unsubscribe to be honoured whenever it is used, and
 *  US CAN-SPAM wants the opt-out to work at least 30 days after sending: people open old mail much later than that).
 *  The undo shown after a one-click unsubscribe lives one hour: it only serves the person who just clicked. A "view in
 *  your browser" link lives as long as the email's other links, names one edition, and dies with a revoke (it shows
 *  what the subscriber chose). */
export const tokenLifetimeMs: Record<TokenPurpose, number> = {
  confirm: 7 * 24 * 3600 * 1000,
  prefs: 400 * 24 * 3600 * 1000,
  unsub: 400 * 24 * 3600 * 1000,
  undo: 3600 * 1000,
  view: 400 * 24 * 3600 * 1000,
};

/** Who links are signed for: a subscriber id and their current link version (absent on records older than versions). */
export interface LinkOwner {
  id: string;
  linkVersion?: number;
}

/** Signs one link of `purpose` for `owner`. Unsubscribe links carry no version: a revoke leaves them working. */
export function signLink(owner: LinkOwner, purpose: TokenPurpose, options: { secret: string; now: Date; scope?: string }): string {
  const expiresAt = new Date(options.now.getTime() + tokenLifetimeMs[purpose]);
  const linkVersion = purpose === 'unsub' ? 0 : (owner.linkVersion ?? 0);
  return signToken({ subscriberId: owner.id, purpose, expiresAt, linkVersion, ...(options.scope === undefined ? {} : { scope: options.scope }) }, options.secret);
}

type LinkOptions = {
  baseUrl: string;
  secret: string;
  now: Date;
  mailto?: string;
  /** The language of the email the links go in (carried as `?lang=`); none for links answered to a caller (API, page). */
  language?: Language;
};

/** The signed tokens and links every email to a subscriber needs. */
export function subscriberLinks(
  owner: string | LinkOwner,
  options: LinkOptions,
): { prefsToken: string; unsubToken: string; preferencesUrl: string; unsubscribeUrl: string; headers: Array<{ name: string; value: string }> } {
  const who = typeof owner === 'string' ? { id: owner } : owner;
  const prefsToken = signLink(who, 'prefs', options);
  const unsubToken = signLink(who, 'unsub', options);
  return {
    prefsToken,
    unsubToken,
    preferencesUrl: preferencesUrl(options.baseUrl, prefsToken, options.language),
    unsubscribeUrl: unsubscribeUrl(options.baseUrl, unsubToken, options.language),
    headers: listUnsubscribeHeaders(options.baseUrl, unsubToken, options.mailto, options.language),
  };
}

/** A newsletter's links for one subscriber: theirs, and their "view in your browser" link to this edition. */
export function editionLinks(owner: LinkOwner, editionId: string, options: LinkOptions): ReturnType<typeof subscriberLinks> & { viewUrl: string } {
  return { ...subscriberLinks(owner, options), viewUrl: viewUrl(options.baseUrl, editionId, signLink(owner, 'view', { ...options, scope: editionId }), options.language) };
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------------------------

/** The one canonical form of an address: trimmed, NFC, lower-cased, without the domain's trailing dot, the domain in
 *  ASCII (IDNA, as mail goes out). Never throws: SES events and stored rows go through it as they are. Every key that
 *  names an address (unique claim, confirmation quota, suppression hash) is built on this form, so `Ana@Example.org.`
 *  and `ana@example.org`, or `ana@bücher.example` and `ana@xn--bcher-kva.example`, are one address. */
export function foldEmail(email: string): string {
  const folded = email.trim().normalize('NFC').toLowerCase();
  const at = folded.lastIndexOf('@');
  if (at < 0) return folded;
  const domain = folded.slice(at + 1).replace(/\.$/, '');
  const ascii = domain.startsWith('[') ? domain : domainToASCII(domain);
  return `${folded.slice(0, at + 1)}${ascii || domain}`;
}

const invalidEmail = () => invalid('subscription.invalidEmail', 'This email address does not look right; check it for typos.');
// dot-atom (RFC 5322) with the UTF-8 letters RFC 6531 allows in a local part; no quoted local parts, no comments.
const localPart = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const dnsLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Validates an address someone typed and returns its canonical form (see foldEmail); throws
 *  `subscription.invalidEmail` for what cannot be mailed: malformed or over-long addresses, invalid UTF-8 (lone
 *  surrogates, U+FFFD from a broken decode), control or invisible characters, IP-literal or dotted-quad domains, and
 *  domains without a dot-separated name. */
export function normaliseEmail(raw: string): string {
  if (raw.length > 320 || /[\uFFFD\p{Cc}\p{Cf}\p{Cs}]/u.test(raw.trim())) throw invalidEmail();
  const email = foldEmail(raw);
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (at < 1 || local.length > 64 || !localPart.test(local) || email.length > 254) throw invalidEmail();
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => dnsLabel.test(l))) throw invalidEmail(); // also `[1.2.3.4]`
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels.at(-1)!)) throw invalidEmail(); // a numeric TLD is an IPv4 address
  return email;
}

/** Salted hash of a folded address: what the suppression list keeps once a record is erased. */
export function suppressionHash(email: string, salt: string): string {
  return createHmac('sha256', salt).update(foldEmail(email)).digest('hex');
}


