// HTML sanitising and plain-text helpers for ingested news content.
//
// Security comes from `sanitize-html` (an allowlist sanitiser on top of htmlparser2): only ordinary article markup
// survives, with no scripts, styles, frames, plug-ins, forms, SVG/MathML, event or style attributes, and only
// http(s)/mailto URLs. Two things are added around it:
//
// 1. A linear pre-pass (`limitNesting`) that caps element nesting before the parser sees the markup. htmlparser2
//    keeps its open-element stack with `Array#unshift`, so an "HTML bomb" of a million unclosed tags costs it
//    quadratic time (200k nested <div> take ~15 s). The pre-pass drops tags nested deeper than MAX_DEPTH; it only
//    ever removes tags, and its output still goes through the sanitiser, so it cannot weaken the allowlist.
// 2. URL handling with the WHATWG URL parser (the browser's own rules): entities are already decoded by the
//    parser, leading/trailing controls and spaces, embedded tabs/newlines and upper case are normalised exactly as
//    a browser would, so obfuscated `JaVa&#x09;Script:` is seen as `javascript:` and refused. Relative URLs are
//    resolved against the item's base URL; anything that is not an absolute http(s) (or, for links, mailto) URL is
//    dropped (the link keeps its text; an image without a usable src is dropped).
//
// The output has characters that XML 1.0 forbids removed, so it can be embedded in RSS/Atom as is.
import sanitize from 'sanitize-html';

/** Elements deeper than this are unwrapped (their text is kept). Real articles nest a dozen levels at most. */
export const MAX_DEPTH = 100;

const BLOCK_TAGS = ['p', 'div', 'blockquote', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'figure', 'figcaption', 'pre', 'hr',
  'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td'] as const;

const ALLOWED_TAGS = [
  'p', 'br', 'a', 'strong', 'em', 'b', 'i', 'u', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'h5', 'h6',
  'figure', 'figcaption', 'img', 'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
  'code', 'pre', 'hr', 'span', 'sub', 'sup', 'div',
];

/** Elements whose content is discarded along with the element (never shown as text). */
const NON_TEXT_TAGS = ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'applet', 'svg',
  'math', 'template', 'select', 'button', 'head', 'title', 'frameset', 'frame', 'noembed', 'noframes'];

const SAFE_LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const SAFE_IMAGE_PROTOCOLS = new Set(['http:', 'https:']);
const DIMENSION = /^\d{1,4}%?$/;

/** Resolves `value` against `baseUrl` and returns it only when it is an absolute URL with an allowed protocol. */
function safeUrl(value: string | undefined, baseUrl: string, protocols: Set<string>): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value, baseUrl || undefined);
  } catch {
    return undefined;
  }
  if (!protocols.has(url.protocol)) return undefined;
  return url.href;
}

const XML_INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes characters XML 1.0 forbids: C0 controls other than tab, LF and CR; U+FFFE/U+FFFF; lone surrogates. */
export function stripInvalidXmlChars(text: string): string {
  XML_INVALID.lastIndex = 0;
  if (!XML_INVALID.test(text)) return text;
  XML_INVALID.lastIndex = 0;
  return text.replace(XML_INVALID, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Nesting limiter: a single left-to-right scan that recognises tags, comments, declarations and raw-text elements
// well enough to count open elements, and cuts out start/end tags beyond MAX_DEPTH. Everything else is copied.

const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source',
  'track', 'wbr', 'keygen', 'basefont', 'bgsound', 'frame', 'image']);
/** Elements whose content the parser reads as raw text up to the matching end tag. */
const RAW_TEXT_TAGS = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);
/** Elements that a start tag of the same name closes implicitly (so `<p>a<p>b` is not nesting). */
const SELF_CLOSING_SIBLINGS = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'optgroup']);

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Returns `html` with start and end tags nested deeper than `maxDepth` removed (linear time). */
export function limitNesting(html: string, maxDepth = MAX_DEPTH): string {
  const n = html.length;
  const stack: string[] = [];
  let dropped = 0; // start tags removed because the stack was full; their end tags are removed too
  let out: string[] | undefined;
  let copyFrom = 0;
  let lower: string | undefined; // lazily built lower-case copy, for finding raw-text end tags
  const cut = (start: number, end: number) => {
    (out ??= []).push(html.slice(copyFrom, start));
    copyFrom = end;
  };

  let i = html.indexOf('<');
  while (i !== -1 && i < n - 1) {
    const next = html.charCodeAt(i + 1);
    if (next === 33 /* ! */) {
      const end = html.startsWith('<!--', i) ? html.indexOf('-->', i + 4) : html.indexOf('>', i + 2);
      if (end === -1) break;
      i = html.indexOf('<', end + 1);
      continue;
    }
    if (next === 63 /* ? */) {
      const end = html.indexOf('>', i + 2);
      if (end === -1) break;
      i = html.indexOf('<', end + 1);
      continue;
    }
    const closing = next === 47; /* / */
    const nameStart = closing ? i + 2 : i + 1;
    if (nameStart >= n || !isAsciiLetter(html.charCodeAt(nameStart))) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    let j = nameStart;
    while (j < n) {
      const c = html.charCodeAt(j);
      if (c === 62 /* > */ || c === 47 /* / */ || c === 32 || c === 9 || c === 10 || c === 12 || c === 13) break;
      j++;
    }
    const name = html.slice(nameStart, j).toLowerCase();
    // Scan attributes to the closing '>', honouring quotes.
    let quote = 0;
    let selfClosing = false;
    while (j < n) {
      const c = html.charCodeAt(j);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) {
        quote = c;
      } else if (c === 62) {
        selfClosing = html.charCodeAt(j - 1) === 47;
        break;
      }
      j++;
    }
    const tagEnd = Math.min(j + 1, n);

    if (closing) {
      const at = stack.lastIndexOf(name);
      if (at !== -1) {
        stack.length = at;
      } else if (dropped > 0) {
        dropped--;
        cut(i, tagEnd);
      }
    } else if (!VOID_TAGS.has(name) && !selfClosing) {
      if (SELF_CLOSING_SIBLINGS.has(name) && stack[stack.length - 1] === name) stack.pop();
      if (stack.length >= maxDepth) {
        dropped++;
        cut(i, tagEnd);
      } else {
        stack.push(name);
      }
      if (RAW_TEXT_TAGS.has(name)) {
        lower ??= html.toLowerCase();
        const endTag = lower.indexOf(`</${name}`, tagEnd);
        if (endTag === -1) break;
        i = endTag;
        continue;
      }
    }
    if (j >= n) break;
    i = html.indexOf('<', tagEnd);
  }
  if (!out) return html;
  out.push(html.slice(copyFrom));
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------------------

function sanitizeOptions(baseUrl: string): sanitize.IOptions {
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'width', 'height', 'title'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      col: ['span'],
      colgroup: ['span'],
      ol: ['start'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    allowedStyles: {},
    allowVulnerableTags: false,
    disallowedTagsMode: 'discard',
    nonTextTags: NON_TEXT_TAGS,
    nestingLimit: MAX_DEPTH + 1,
    parser: { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
    transformTags: {
      h1: 'h2',
      a: (tagName, attribs) => {
        const href = safeUrl(attribs.href, baseUrl, SAFE_LINK_PROTOCOLS);
        const out: Record<string, string> = {};
        if (attribs.title) out.title = attribs.title;
        if (href) {
          out.href = href;
          out.rel = 'noopener noreferrer nofollow';
        }
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        const out: Record<string, string> = {};
        const src = safeUrl(attribs.src, baseUrl, SAFE_IMAGE_PROTOCOLS);
        if (src) out.src = src;
        if (attribs.alt !== undefined) out.alt = attribs.alt;
        if (attribs.title) out.title = attribs.title;
        if (attribs.width && DIMENSION.test(attribs.width.trim())) out.width = attribs.width.trim();
        if (attribs.height && DIMENSION.test(attribs.height.trim())) out.height = attribs.height.trim();
        return { tagName, attribs: out };
      },
    },
    // An image whose source was refused (javascript:, data:, unresolvable) has nothing left to show.
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  };
}

/**
 * Sanitises article HTML against an allowlist of ordinary article markup, makes links and image sources absolute
 * against `baseUrl`, marks links `rel="noopener noreferrer nofollow"`, and removes characters invalid in XML 1.0.
 * Linear in the input size, including hostile "HTML bombs".
 */
export function sanitizeHtml(html: string, baseUrl: string): string {
  if (!html) return '';
  const input = limitNesting(stripInvalidXmlChars(html));
  return stripInvalidXmlChars(sanitize(input, sanitizeOptions(baseUrl))).trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Plain text

const TEXT_OPTIONS: sanitize.IOptions = {
  allowedTags: [...BLOCK_TAGS, 'br'],
  allowedAttributes: {},
  nonTextTags: NON_TEXT_TAGS,
  nestingLimit: MAX_DEPTH + 1,
  transformTags: { h1: 'h2' },
  parser: { decodeEntities: true, lowerCaseTags: true },
};

const BASIC_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const BLOCK_BOUNDARY = new RegExp(`<\\/?(?:${BLOCK_TAGS.join('|')})\\s*\\/?>`, 'g');
const HORIZONTAL_SPACE = /[^\S\n]+/g;

/**
 * Converts HTML to plain text: scripts, styles and other non-content dropped, entities decoded, block elements
 * become paragraphs separated by one blank line, `<br>` a line break, and runs of white space one space.
 */
export function htmlToText(html: string): string {
  if (!html) return '';
  // The sanitiser leaves only block tags and <br>, decodes every entity and re-escapes just & < > " (and ').
  const normalised = sanitize(limitNesting(stripInvalidXmlChars(html)), TEXT_OPTIONS);
  const text = normalised
    .replace(/<br\s*\/?>/g, '\u0001')
    .replace(BLOCK_BOUNDARY, '\u0002')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => BASIC_ENTITIES[entity] ?? entity);
  const paragraphs: string[] = [];
  for (const block of text.split('\u0002')) {
    const lines = block
      .replace(/\s+/g, ' ')
      .split('\u0001')
      .map((line) => line.replace(HORIZONTAL_SPACE, ' ').trim());
    const joined = lines.join('\n').replace(/^\n+|\n+$/g, '').replace(/\n{2,}/g, '\n');
    if (joined) paragraphs.push(joined);
  }
  return stripInvalidXmlChars(paragraphs.join('\n\n'));
}

/**
 * A plain-text summary of at most `maxChars` characters: white space collapsed to single spaces; when longer, cut
 * at the last word boundary that fits and ended with '…'.
 */
export function summarize(text: string, maxChars = 280): string {
  const flat = stripInvalidXmlChars(text).replace(/\s+/g, ' ').trim();
  if (flat.length <= maxChars) return flat;
  if (maxChars <= 1) return '…'.slice(0, Math.max(0, maxChars));
  const room = maxChars - 1; // keep one character for the ellipsis
  let cutAt = flat.lastIndexOf(' ', room);
  if (cutAt <= 0) {
    cutAt = room; // one very long word: hard cut, but never inside a surrogate pair
    const code = flat.charCodeAt(cutAt - 1);
    if (code >= 0xd800 && code <= 0xdbff) cutAt--;
  }
  const head = flat.slice(0, cutAt).replace(/[\s,;:.\-–—(\[{"'“‘]+$/u, '');
  return `${head || flat.slice(0, cutAt)}…`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Plain text to HTML: paragraphs separated by one or more blank lines become `<p>` elements; line breaks inside a
 * paragraph and runs of white space become single spaces; the text is escaped.
 */
export function textToHtml(text: string): string {
  return stripInvalidXmlChars(text)
    .replace(/\r\n?/g, '\n')
    .split(/\n[^\S\n]*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('\n');
}
