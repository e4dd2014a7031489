// The edition intro is Markdown: rendered in both parts of the email, and nothing an editor types (or pastes) reaches
// a reader as markup of its own or as a script link.
import { describe, expect, it } from 'vitest';
import { renderIntro } from '../../lambdas/core/editions/intro-markdown.js';
import { verifyToken } from '../../lambdas/core/shared/signing.js';
import { editionLinks } from '../../lambdas/core/subscriptions/links.js';

describe('the intro in Markdown', () => {
  it('renders emphasis, links and lists in HTML, and the same words with link addresses in text', () => {
    const intro = renderIntro('Hello, **readers**!\nA second line.\n\n- one [link](https://example.org/a)\n- two\n\n1. first\n2. second');
    expect(intro.html).toBe(
      '<p>Hello, <strong>readers</strong>!<br />\nA second line.</p>\n<ul>\n<li>one <a href="https://example.org/a">link</a></li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>',
    );
    expect(intro.text).toBe('Hello, readers!\nA second line.\n\n- one link (https://example.org/a)\n- two\n\n1. first\n2. second');
  });

  it.each([
    ['raw HTML', '<script>alert(1)</script><img src=x onerror=alert(1)> <b>bold</b>'],
    ['a javascript: link', '[click](javascript:alert(1)) [also](JaVaScRiPt:alert(1)) <javascript:alert(1)>'],
    ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['an image', '![pixel](https://tracker.example/p.gif)'],
    ['a vbscript: link', '[x](vbscript:msgbox)'],
  ])('shows %s as text, never as markup or a link', (_name, source) => {
    const { html } = renderIntro(source);
    expect(html).not.toMatch(/<(script|img|b)\b/i);
    expect(html).not.toMatch(/href="(?!https?:|mailto:)/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son\w+=/i);
  });

  it('keeps braces as text (merge markers are the compile\'s own)', () => {
    expect(renderIntro('{{unsubscribe_url}} {% footer %}').html).toBe('<p>{{unsubscribe_url}} {% footer %}</p>');
  });
});

describe('the "view in your browser" link', () => {
  const secret = 's'.repeat(32);
  const now = new Date('2026-11-20T10:00:00Z');
  it('is a view token signed over one edition: not another edition, not a preference link', () => {
    const { viewUrl } = editionLinks({ id: 'sub1', linkVersion: 2 }, 'ed-1', { baseUrl: 'https://news.example.org/', secret, now });
    expect(viewUrl).toMatch(/^https:\/\/news\.example\.org\/view\/ed-1\/sub1\.view\.\d+\.2\.[\w-]+$/);
    const token = viewUrl.split('/').at(-1)!;
    expect(verifyToken(token, 'view', secret, now, 'ed-1')).toMatchObject({ subscriberId: 'sub1', purpose: 'view', linkVersion: 2, scope: 'ed-1' });
    expect(() => verifyToken(token, 'view', secret, now, 'ed-2')).toThrow(expect.objectContaining({ code: 'token.invalid' }));
    expect(() => verifyToken(token, 'view', secret, now)).toThrow(expect.objectContaining({ code: 'token.invalid' }));
    expect(() => verifyToken(token, 'prefs', secret, now)).toThrow(expect.objectContaining({ code: 'token.invalid' }));
    expect(() => verifyToken(token, 'view', secret, new Date('2028-01-01T00:00:00Z'), 'ed-1')).toThrow(expect.objectContaining({ code: 'token.expired' }));
  });
});
