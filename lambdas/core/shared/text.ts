// Text primitives every concern uses: escaping for HTML, shortening for previews, masking addresses for logs.
// (HTML to plain text lives with the sanitiser, core/ingest/sanitize.ts, since it is built on it.)

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const needsEscape = /[&<>"']/;

/** Escapes text for HTML (and XML) element content and attribute values, quoted with either quote. */
export function escapeHtml(text: string): string {
  return needsEscape.test(text) ? text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c) : text;
}

/** White space collapsed; when longer than `max`, cut at the last word boundary past 60% of it (else mid-word),
 *  trailing punctuation dropped, and ended with '…'. */
export function truncate(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:]+$/, '')}…`;
}

/** An address as logs may show it: `maria@example.org` → `m***@example.org`. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}
