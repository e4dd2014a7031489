// Click links: `${PUBLIC_BASE_URL}/r/<token>`. The token is `<payload>.<mac>`, the payload base64url of fields joined
// by a unit separator, signed with the service's signing secret (shared/signing.ts). It carries what the aggregates
// need and nothing that names a person: the edition, the item (or 'archive'), the recipient's language, countries and
// topics as compact codes, when the message was built, and a reader nonce drawn afresh for each message (see
// docs/analytics.md: it tells one message's clicks apart without being anyone's identifier).
import { payloadSigned, signPayload } from '../shared/signing.js';
import { isLanguage, type Language } from '../shared/language.js';
import { countryCodePattern, topicSlugPattern, type CountryCode, type TopicSlug } from '../taxonomy/taxonomy.js';

/** The archive ("view in your browser") link's item reference. */
export const archiveRef = 'archive';

/** A recipient's segment as the aggregates see it. Empty countries or topics = all (their preference). */
export interface Segment {
  language: Language;
  countries: CountryCode[];
  topics: TopicSlug[];
}

export interface ClickClaims {
  editionId: string;
  /** An item id, or `archiveRef`. */
  itemRef: string;
  segment: Segment;
  /** When the message was built (the send), to the second. */
  sentAt: Date;
  /** Random per message, never stored beside anything that names the subscriber. */
  readerNonce: string;
}

const version = 'c2';
const separator = '\u001f';

/** Preferences as the codes themselves (the taxonomy is data an editor changes, so no fixed order can stand for
 *  them); a value that is not shaped like a code or slug makes the token invalid. */
const toList = (chosen: readonly string[]) => chosen.join(',');
const fromList = (list: string, shape: RegExp): string[] | undefined => {
  const values = list === '' ? [] : list.split(',');
  return values.every((v) => shape.test(v)) ? values : undefined;
};

export function signClickToken(claims: ClickClaims, secret: string): string {
  const fields = [
    version,
    claims.editionId,
    claims.itemRef,
    claims.segment.language,
    toList(claims.segment.countries),
    toList(claims.segment.topics),
    Math.floor(claims.sentAt.getTime() / 1000).toString(36),
    claims.readerNonce,
  ];
  const payload = Buffer.from(fields.join(separator)).toString('base64url');
  return `${payload}.${signPayload(payload, secret)}`;
}

/** The claims of a genuine token, or undefined for anything else (malformed, tampered, signed with another key). */
export function verifyClickToken(token: string, secret: string): ClickClaims | undefined {
  if (token.length > 2000) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0 || token.indexOf('.', dot + 1) !== -1) return undefined;
  const payload = token.slice(0, dot);
  if (!payloadSigned(payload, token.slice(dot + 1), secret)) return undefined;
  const fields = Buffer.from(payload, 'base64url').toString().split(separator);
  if (fields.length !== 8 || fields[0] !== version) return undefined;
  const [, editionId, itemRef, language, countries, topics, sentAt, readerNonce] = fields as [string, string, string, string, string, string, string, string];
  const c = fromList(countries, countryCodePattern);
  const t = fromList(topics, topicSlugPattern);
  const seconds = parseInt(sentAt, 36);
  if (!editionId || !itemRef || !isLanguage(language) || !c || !t || !Number.isFinite(seconds) || !readerNonce) return undefined;
  return { editionId, itemRef, segment: { language, countries: c, topics: t }, sentAt: new Date(seconds * 1000), readerNonce };
}

export const clickUrl = (publicBaseUrl: string, token: string) => `${publicBaseUrl.replace(/\/+$/, '')}/r/${token}`;
