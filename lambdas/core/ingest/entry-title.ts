// Titles for entries that have none (Mastodon and other microblogs, JSON Feeds with only content_html), derived from
// their text as feed readers do, and the same shortening for a "title" that is really a paragraph.

/** Length a derived or shortened title stays within (ellipsis included). */
export const derivedTitleChars = 80;

/** A first sentence up to this long is the title whole, rather than cut. */
const sentenceChars = 100;

/** Sentences shorter than this ("Dr.", "Ok.") are not a title on their own. */
const minSentenceChars = 16;

/**
 * A title from plain text: the whole text when it is short, else its first sentence when that is not much longer,
 * else the text cut at a word boundary with an ellipsis. Empty when the text is.
 */
export function titleFromText(text: string, max = derivedTitleChars): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  for (const m of t.matchAll(/[.!?…。！？](?=\s|$)/gu)) {
    const end = m.index + m[0].length;
    if (end > Math.max(max, sentenceChars)) break;
    if (end >= minSentenceChars) return t.slice(0, end);
  }
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  // A word longer than half the title (a URL, say) is cut where it stands.
  const head = space >= max / 2 ? cut.slice(0, space) : cut;
  return `${head.replace(/[\s,;:.\-–—]+$/u, '')}…`;
}
