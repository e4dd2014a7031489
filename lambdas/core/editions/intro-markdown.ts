// An edition's intro is Markdown, written by an editor: rendered once per compile to the email's HTML and to its
// plain-text part. markdown-it with raw HTML off (any `<tag>` is shown as text), no images (a pixel or a huge picture
// in the intro is not ours to send), links to http(s) and mailto only; its HTML then goes through the same kind of
// allowlist sanitiser as ingested content, so what reaches a reader is only the markup listed here.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

export interface RenderedIntro {
  html: string;
  text: string;
}

type Token = ReturnType<typeof markdown.parse>[number];

const allowedLink = /^(?:https?:|mailto:)/i;

const markdown = new MarkdownIt('default', { html: false, linkify: false, typographer: false, breaks: true });
markdown.disable(['image', 'table']);
markdown.validateLink = (url) => allowedLink.test(url.trim());

const allowedTags = ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'code', 'pre', 'hr', 's'];

function toHtml(source: string): string {
  return sanitizeHtml(markdown.render(source), {
    allowedTags,
    allowedAttributes: { a: ['href'], ol: ['start'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
  }).trim();
}

/** The text part: what the Markdown says, without its punctuation; a link is its words and then its address. */
function toText(source: string): string {
  const out: string[] = [];
  let line = '';
  const lists: Array<{ ordered: boolean; next: number }> = [];
  let quote = 0;
  const flush = () => {
    out.push(line);
    line = '';
  };
  const startLine = (prefix = '') => {
    line = `${'> '.repeat(quote)}${'  '.repeat(Math.max(0, lists.length - 1))}${prefix}`;
  };
  const inline = (children: Token[]) => {
    let href: string | undefined;
    let linkText = '';
    for (const t of children) {
      if (t.type === 'link_open') {
        const target = t.attrGet('href');
        href = target === null || target === undefined ? undefined : String(target);
        linkText = '';
      } else if (t.type === 'link_close') {
        if (href && href !== linkText && `mailto:${linkText}` !== href) line += ` (${href})`;
        href = undefined;
      } else if (t.type === 'softbreak' || t.type === 'hardbreak') {
        flush();
        startLine(lists.length ? '  ' : '');
      } else if (t.type === 'text' || t.type === 'code_inline') {
        line += t.content;
        if (href) linkText += t.content;
      }
    }
  };
  for (const t of markdown.parse(source, {})) {
    switch (t.type) {
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists.push({ ordered: t.type === 'ordered_list_open', next: Number(t.attrGet('start') ?? 1) });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        if (lists.length === 0) out.push('');
        break;
      case 'list_item_open': {
        const list = lists.at(-1)!;
        startLine(list.ordered ? `${list.next++}. ` : '- ');
        break;
      }
      case 'blockquote_open':
        quote++;
        break;
      case 'blockquote_close':
        quote--;
        break;
      case 'paragraph_open':
      case 'heading_open':
        if (!line.trim() || t.hidden) {
          if (!lists.length) startLine();
        }
        break;
      case 'inline':
        inline(t.children ?? []);
        break;
      case 'paragraph_close':
      case 'heading_close':
        flush();
        if (!t.hidden) out.push(quote ? '>' : '');
        break;
      case 'fence':
      case 'code_block':
        for (const code of t.content.replace(/\n$/, '').split('\n')) out.push(`    ${code}`);
        out.push('');
        break;
      case 'hr':
        out.push('---', '');
        break;
    }
  }
  return out
    .join('\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The intro in both parts of the email. */
export function renderIntro(source: string): RenderedIntro {
  return { html: toHtml(source), text: toText(source) };
}
