// HTML sanitising and plain-text helpers for ingested news content.
//
// Security comes from `sanitize-html` (an allowlist sanitiser on top of htmlparser2): only ordinary article markup
// survives, with no scripts, styles, frames, plug-ins, forms, SVG/MathML, event or style attributes, and only
// http(s)/mailto URLs. Two things are added around it:
//
// 1. A linear pre-pass (`limitNesting`) that caps element nesting before the parser sees the markup. htmlparser2
//    keeps its open-element stack with `Array#unshift`, so an "HTML bomb" of a million unclosed tags costs it
//    quadratic time (200k nested <div> take ~15 s). The pre-pass tokenises tags exactly as htmlparser2 does, cuts
//    start tags nested deeper than MAX_DEPTH and cuts out comments and raw-text elements (which the sanitiser
//    drops anyway); it only ever removes markup, and its output still goes through the sanitiser, so it cannot
//    weaken the allowlist.
// 2. URL handling with the WHATWG URL parser (the browser's own rules): entities are already decoded by the
//    parser, leading/trailing controls and spaces, embedded tabs/newlines and upper case are normalised exactly as
//    a browser would, so obfuscated `JaVa&#x09;Script:` is seen as `javascript:` and refused. Relative URLs are
//    resolved against the item's base URL; anything that is not an absolute http(s) (or, for links, mailto) URL is
//    dropped (the link keeps its text; an image without a usable src is dropped).
//
// The output has characters that XML 1.0 forbids removed, so it can be embedded in RSS/Atom as is.
import sanitize from 'sanitize-html';
import { escapeHtml } from '../shared/text.js';

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

/** How sanitize-html writes an image left without attributes (one whose source was refused). */
const EMPTY_IMG = '<img />';
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
// Nesting limiter: one left-to-right pass that bounds how deep htmlparser2's open-element stack can grow.
//
// Invariant: every `<` construct in the output is either a start/end tag that this pass tokenised exactly as
// htmlparser2 10's Tokenizer does (same tag-name and attribute states, so the tag ends at the same `>`), and counted;
// or it is gone. Comments, CDATA, declarations, processing instructions and raw-text elements (script, style, title,
// textarea, xmp: the sanitiser drops them anyway) and bogus end tags are cut out, so whatever their exact extent,
// the parser never sees them and cannot read hidden tags differently. Text between constructs holds no `<` + letter,
// `</`, `<!` or `<?`, so the parser sees no tag this pass did not see. The pass mirrors the parser's open-element
// stack (void elements, implied closes) and cuts start tags that would push it past `maxDepth` (their text stays),
// so the parser's per-tag cost is bounded and the whole sanitise is linear.

/** htmlparser2's void elements (never pushed on its stack). Must not hold a name htmlparser2 pushes. */
const VOID_TAGS = new Set(['area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input',
  'isindex', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** htmlparser2's raw-text ("special") elements: their content is not parsed for tags. */
const RAW_TEXT_TAGS = new Set(['script', 'style', 'title', 'textarea', 'xmp']);
/** htmlparser2's implicit closes: a start tag of the key closes open elements of these names on top of the stack. */
const P_ONLY = ['p'];
const FORM_TAGS = ['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea'];
const IMPLIES_CLOSE = new Map<string, Set<string>>(
  Object.entries({
    tr: ['tr', 'th', 'td'], th: ['th'], td: ['thead', 'th', 'td'], body: ['head', 'link', 'script'], li: ['li'],
    p: P_ONLY, h1: P_ONLY, h2: P_ONLY, h3: P_ONLY, h4: P_ONLY, h5: P_ONLY, h6: P_ONLY,
    select: FORM_TAGS, input: FORM_TAGS, output: FORM_TAGS, button: FORM_TAGS, datalist: FORM_TAGS, textarea: FORM_TAGS,
    option: ['option'], optgroup: ['optgroup', 'option'], dd: ['dd', 'dt'], dt: ['dd', 'dt'],
    address: P_ONLY, article: P_ONLY, aside: P_ONLY, blockquote: P_ONLY, details: P_ONLY, div: P_ONLY, dl: P_ONLY,
    fieldset: P_ONLY, figcaption: P_ONLY, figure: P_ONLY, footer: P_ONLY, form: P_ONLY, header: P_ONLY, hr: P_ONLY,
    main: P_ONLY, nav: P_ONLY, ol: P_ONLY, pre: P_ONLY, section: P_ONLY, table: P_ONLY, ul: P_ONLY,
    rt: ['rt', 'rp'], rp: ['rt', 'rp'], tbody: ['thead', 'tbody'], tfoot: ['thead', 'tbody'],
  }).map(([name, closes]) => [name, new Set(closes)]),
);

const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 12 || c === 13;
const GT = 62;
const SLASH = 47;
const EQ = 61;
const DQ = 34;
const SQ = 39;

const enum S { BeforeAttr, SelfClosing, AttrName, AfterAttrName, BeforeValue, Dq, Sq, Nq }

/** From just after a start tag's name, the index of the `>` that ends the tag (or -1 at end of input), following
 *  htmlparser2's attribute states: a quote opens a value only right after `=`. */
function startTagEnd(html: string, from: number): number {
  const n = html.length;
  let state = S.BeforeAttr;
  for (let j = from; j < n; j++) {
    const c = html.charCodeAt(j);
    switch (state) {
      case S.Dq:
        if (c === DQ) state = S.BeforeAttr;
        continue;
      case S.Sq:
        if (c === SQ) state = S.BeforeAttr;
        continue;
      case S.Nq:
        if (c === GT) return j;
        if (isSpace(c)) state = S.BeforeAttr;
        continue;
      case S.BeforeValue:
        if (c === DQ) state = S.Dq;
        else if (c === SQ) state = S.Sq;
        else if (c === GT) return j; // an unquoted value ends at '>'
        else if (!isSpace(c)) state = S.Nq;
        continue;
      case S.AttrName:
        if (c === EQ) state = S.BeforeValue;
        else if (c === GT) return j;
        else if (c === SLASH) state = S.SelfClosing;
        else if (isSpace(c)) state = S.AfterAttrName;
        continue;
      case S.AfterAttrName:
        if (c === EQ) state = S.BeforeValue;
        else if (c === GT) return j;
        else if (c === SLASH) state = S.SelfClosing;
        else if (!isSpace(c)) state = S.AttrName;
        continue;
      case S.SelfClosing:
      case S.BeforeAttr:
        if (c === GT) return j;
        if (c === SLASH) state = S.SelfClosing;
        else if (!isSpace(c)) state = S.AttrName;
        continue;
    }
  }
  return -1;
}

/** Returns `html` with start tags that would nest deeper than `maxDepth`, comments, declarations, processing
 *  instructions and raw-text elements cut out. Linear time and memory. */
export function limitNesting(html: string, maxDepth = MAX_DEPTH): string {
  const n = html.length;
  // A mirror of htmlparser2's open-element stack for the tags that are kept. It is never smaller than the real one
  // (the real parser also closes self-closing tags inside SVG/MathML; everything else is mirrored exactly).
  const stack: string[] = [];
  const out: string[] = [];
  let copyFrom = 0;
  let lower: string | undefined; // lower-case copy, built once if a raw-text element needs its end tag found
  // Cuts html[start, end). A space is left only where the output so far ends with '<', so that a cut never joins
  // a '<' to the text after it into a new tag (`<` + `<!---->div>`).
  let outputEndsWithLt = false;
  const cut = (start: number, end: number) => {
    const kept = html.slice(copyFrom, start);
    if (kept) outputEndsWithLt = kept.charCodeAt(kept.length - 1) === 60;
    out.push(kept);
    if (outputEndsWithLt) {
      out.push(' ');
      outputEndsWithLt = false;
    }
    copyFrom = end;
  };
  /** How many elements a start tag of `name` would close implicitly. */
  const impliedCloses = (name: string) => {
    const closes = IMPLIES_CLOSE.get(name);
    let k = 0;
    if (closes) while (k < stack.length && closes.has(stack[stack.length - 1 - k]!)) k++;
    return k;
  };

  let i = html.indexOf('<');
  while (i !== -1 && i < n - 1) {
    const next = html.charCodeAt(i + 1);
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      let end: number;
      if (html.startsWith('<!--', i)) {
        const close = html.indexOf('-->', i + 2); // htmlparser2 accepts "<!-->" as a whole comment
        end = close === -1 ? n : close + 3;
      } else if (html.startsWith('<![CDATA[', i)) {
        const close = html.indexOf(']]>', i + 9);
        end = close === -1 ? n : close + 3;
      } else {
        const close = html.indexOf('>', i + 2);
        end = close === -1 ? n : close + 1;
      }
      cut(i, end);
      i = html.indexOf('<', end);
      continue;
    }
    if (next === SLASH) {
      // End tag. White space after "</" is skipped; then '>' is nothing, a letter starts the name (which runs to
      // white space or '>', and the rest up to '>' is ignored), anything else is a bogus comment up to '>'.
      let j = i + 2;
      while (j < n && isSpace(html.charCodeAt(j))) j++;
      if (j >= n) break;
      const c = html.charCodeAt(j);
      if (c === GT) {
        i = html.indexOf('<', j + 1);
        continue;
      }
      const close = html.indexOf('>', j);
      const end = close === -1 ? n : close + 1;
      if (!isAsciiLetter(c)) {
        cut(i, end);
        i = html.indexOf('<', end);
        continue;
      }
      const nameStart = j;
      while (j < n && !isSpace(html.charCodeAt(j)) && html.charCodeAt(j) !== GT) j++;
      const name = html.slice(nameStart, j).toLowerCase();
      if (!VOID_TAGS.has(name)) {
        const at = stack.lastIndexOf(name);
        if (at !== -1) stack.length = at;
        else if (name === 'p') stack.length -= impliedCloses('p'); // "</p>" alone opens and closes a p
      }
      i = html.indexOf('<', end);
      continue;
    }
    if (!isAsciiLetter(next)) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    // Start tag.
    let j = i + 1;
    while (j < n) {
      const c = html.charCodeAt(j);
      if (c === GT || c === SLASH || isSpace(c)) break;
      j++;
    }
    const name = html.slice(i + 1, j).toLowerCase();
    const gt = startTagEnd(html, j);
    const tagEnd = gt === -1 ? n : gt + 1;
    if (RAW_TEXT_TAGS.has(name)) {
      lower ??= html.toLowerCase();
      let end = n;
      const endTag = lower.indexOf(`</${name}`, tagEnd);
      if (endTag !== -1) {
        const close = html.indexOf('>', endTag);
        end = close === -1 ? n : close + 1;
      }
      cut(i, end);
      i = html.indexOf('<', end);
      continue;
    }
    const closes = impliedCloses(name);
    if (VOID_TAGS.has(name)) {
      stack.length -= closes;
    } else if (stack.length - closes >= maxDepth) {
      cut(i, tagEnd); // too deep: the parser never sees this tag (so it closes nothing either)
    } else {
      // `<div/>` is an ordinary start tag in HTML: it stays open.
      stack.length -= closes;
      stack.push(name);
    }
    i = html.indexOf('<', tagEnd);
  }
  if (out.length === 0) return html;
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
        // An image whose source was refused (javascript:, data:, unresolvable) has nothing left to show: it is
        // written as a bare EMPTY_IMG and removed from the output afterwards. (sanitize-html's exclusiveFilter
        // re-copies the whole output for each element it removes, quadratic on a page of many such images; and
        // renaming to a disallowed tag leaks that name into a later end tag.)
        if (!src) return { tagName, attribs: {} };
        out.src = src;
        if (attribs.alt !== undefined) out.alt = attribs.alt;
        if (attribs.title) out.title = attribs.title;
        if (attribs.width && DIMENSION.test(attribs.width.trim())) out.width = attribs.width.trim();
        if (attribs.height && DIMENSION.test(attribs.height.trim())) out.height = attribs.height.trim();
        return { tagName, attribs: out };
      },
    },
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
  return stripInvalidXmlChars(sanitize(input, sanitizeOptions(baseUrl)).replaceAll(EMPTY_IMG, '')).trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Plain text

const TEXT_OPTIONS: sanitize.IOptions = {
  allowedTags: [...BLOCK_TAGS, 'br'],
  allowedAttributes: {},
  nonTextTags: NON_TEXT_TAGS,
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
  return textOfNormalised(sanitize(limitNesting(stripInvalidXmlChars(html)), TEXT_OPTIONS));
}

const ANY_BLOCK_TAG = new RegExp(`<\\/?(?:${BLOCK_TAGS.join('|')})(?:\\s[^>]*)?\\/?>`, 'g');

/**
 * htmlToText for HTML that sanitizeHtml produced (and only for that): its markup is well formed, its text and
 * attribute values escape `<` and `>`, so tags can be dropped without parsing again. Ingestion derives every
 * summary this way, which saves a second parse of each item.
 */
export function sanitizedHtmlToText(html: string): string {
  if (!html) return '';
  return textOfNormalised(html.replace(/<br\s*\/?>/g, '<br>').replace(ANY_BLOCK_TAG, (tag) => `<${tag[1] === '/' ? '/' : ''}p>`).replace(/<(?!\/?p>|br>)[^>]*>/g, ''));
}

function textOfNormalised(normalised: string): string {
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

// Invisible formatting characters: bidi embeddings, overrides, isolates and marks (which can reorder what a reader
// sees, "Trojan Source" style) and zero-width characters (which hide words from filters and dedupe).
const INVISIBLE_FORMATTING = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const INVISIBLE_FORMATTING_ALL = new RegExp(INVISIBLE_FORMATTING.source, 'gu');
// Scripts whose letters join: there ZWJ and ZWNJ change how a word is written, so they stay.
const JOINING_BEFORE = /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mongolian}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}]\p{M}*$/u;
// An emoji ZWJ sequence (👨‍👩‍👧, 🏳️‍🌈): pictograph, optional variation selector or skin tone, ZWJ, pictograph.
const EMOJI_BEFORE = /\p{Extended_Pictographic}[\u{FE0F}\u{1F3FB}-\u{1F3FF}]*$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

/** Removes bidi controls and zero-width characters from a title, keeping ZWJ inside emoji sequences and ZWJ/ZWNJ in
 *  joining scripts. */
export function withoutInvisibleFormatting(text: string): string {
  if (!INVISIBLE_FORMATTING.test(text)) return text;
  return text.replace(INVISIBLE_FORMATTING_ALL, (ch: string, offset: number) => {
    if (ch !== '\u200C' && ch !== '\u200D') return '';
    const before = text.slice(Math.max(0, offset - 8), offset);
    if (JOINING_BEFORE.test(before)) return ch;
    return ch === '\u200D' && EMOJI_BEFORE.test(before) && EMOJI_AFTER.test(text.slice(offset + 1, offset + 3)) ? ch : '';
  });
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
