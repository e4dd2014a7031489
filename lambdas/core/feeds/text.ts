// Defensive text handling for feed output. Item content reaches us sanitised by ingest; these functions make sure
// that whatever slips through still never breaks a feed (XML-invalid characters, "]]>" inside CDATA) or reaches a
// reader as active content (script, event handlers, javascript: links).
import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from '../shared/text.js';

/** Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
const xmlInvalid = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlSafe(text: string): string {
  return text.replace(xmlInvalid, '');
}

/** Plain text fields (title, summary, author): XML-safe, and without anything that looks like an HTML tag, since
 *  many readers render RSS titles as HTML. */
export function plainText(text: string): string {
  return xmlSafe(text).replace(/<\/?[a-z!][^>]*>/gi, '').replace(/\s+/g, ' ').trim();
}

/** Safe inside `<![CDATA[...]]>` for HTML payloads: `]]>` becomes `]]&gt;`, which HTML renders the same. */
export function cdataSafe(html: string): string {
  return xmlSafe(html).replaceAll(']]>', ']]&gt;');
}

/** Escaped for an XML attribute value or element text, with what XML forbids removed. */
export function escapeXmlAttribute(text: string): string {
  return escapeHtml(xmlSafe(text));
}

/** An absolute http(s) URL, or undefined (javascript:, data:, relative or malformed links are refused). */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(xmlSafe(value).trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** Markers of active content that a correctly sanitised item never has. Cheap test; the slow path is rare. */
const suspicious = /<\s*\/?\s*(script|style|iframe|object|embed|form|base|meta|link|svg|math)\b|\son[a-z]+\s*=|javascript:|vbscript:|data:\s*text\/html/i;

/**
 * Content HTML as it goes into a feed: XML-safe and, if it still carries anything active (it should not: ingest
 * sanitises), re-sanitised with a strict allowlist. Idempotent.
 */
export function feedSafeHtml(html: string): string {
  const clean = xmlSafe(html);
  if (!suspicious.test(clean)) return clean;
  return sanitizeHtml(clean, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img'],
    allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
  });
}
