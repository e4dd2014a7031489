// Rules for text and URLs that come from outside (feeds, digests, the editor) before we store or print them.

/** The URL as an absolute http(s) URL, or undefined. The WHATWG parser decides (as a browser would): surrounding
 *  spaces and controls, embedded tabs and newlines and upper case are normalised first, so `JaVaScRiPt:`,
 *  ` javascript:` and `java\tscript:` are all seen as `javascript:` and refused, like `data:`, `vbscript:`, `file:`. */
export function httpUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

/** Text that goes into an email header (a subject, a name) must be one line: a CR or LF there would start a header
 *  of the sender's choosing. */
export const hasLineBreak = (text: string) => text.includes('\n') || text.includes('\r');
