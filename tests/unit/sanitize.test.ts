// htmlparser2 is the parser inside sanitize-html (its dependency, not ours): the fuzz test below checks the nesting
// limiter against the very parser it protects.
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { htmlToText, limitNesting, sanitizeHtml, stripInvalidXmlChars, summarize, textToHtml } from '../../lambdas/core/ingest/sanitize.js';

const BASE = 'https://news.example.org/section/article.html';

/** Asserts that nothing executable or remotely loaded-by-script survived. */
function expectInert(html: string) {
  expect(html).not.toMatch(/<\s*(script|style|iframe|object|embed|svg|math|form|meta|base|link|frame|template)/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/javascript:|vbscript:|data:/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
}

describe('sanitizeHtml: hostile markup', () => {
  it('removes script and style elements with their content', () => {
    const out = sanitizeHtml('<p>Hello</p><script>alert(1)</script><style>p{color:red}</style><SCRIPT SRC=//x.js></SCRIPT>', BASE);
    expect(out).toBe('<p>Hello</p>');
  });

  it('removes event handler and style attributes', () => {
    const out = sanitizeHtml('<p onclick="steal()" style="background:url(javascript:x)" ONMOUSEOVER=x>Text</p><img src="a.png" onerror="alert(1)">', BASE);
    expectInert(out);
    expect(out).toBe('<p>Text</p><img src="https://news.example.org/section/a.png" />');
  });

  it.each([
    ['plain', 'javascript:alert(1)'],
    ['mixed case with spaces', '  JaVaScRiPt:alert(1)'],
    ['embedded tab entity', 'java&#x09;script:alert(1)'],
    ['embedded newline entity', 'java&#10;script:alert(1)'],
    ['raw tab and newline', 'java\tscr\nipt:alert(1)'],
    ['decimal entities', '&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)'],
    ['hex entities without semicolons', '&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)'],
    ['named colon entity', 'javascript&colon;alert(1)'],
    ['leading control character', '\u0001javascript:alert(1)'],
    ['leading entity-encoded space', '&#32;javascript:alert(1)'],
    ['vbscript', 'VBScript:MsgBox(1)'],
    ['data URL', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  ])('drops a %s URL from links but keeps the text', (_name, href) => {
    const out = sanitizeHtml(`<p><a href="${href}">click</a></p>`, BASE);
    expectInert(out);
    expect(out).toBe('<p><a>click</a></p>');
  });

  it('drops images with data:, javascript: or unusable sources', () => {
    const out = sanitizeHtml(
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="a"><img src="javascript:alert(1)"><img alt="no src"><img src="ok.jpg" alt="ok">',
      BASE,
    );
    expectInert(out);
    expect(out).toBe('<img src="https://news.example.org/section/ok.jpg" alt="ok" />');
    expect(sanitizeHtml('<p>a</p><img src="data:x"><p>b</p>', BASE)).toBe('<p>a</p><p>b</p>');
  });

  it('removes iframes, objects, embeds, forms, svg and math, with their content', () => {
    const out = sanitizeHtml(
      '<iframe src="https://evil.example/"></iframe><object data="x.swf"><param name="a"></object><embed src="x.swf">' +
        '<form action="https://evil.example/"><input name="q"><button>Go</button></form>' +
        '<svg onload="alert(1)"><script>alert(2)</script><text>svg text</text></svg>' +
        '<math><mi xlink:href="javascript:alert(3)">m</mi></math><p>kept</p>',
      BASE,
    );
    expectInert(out);
    expect(out).toBe('<p>kept</p>');
  });

  it('removes meta refresh, base and link elements', () => {
    const out = sanitizeHtml(
      '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="https://evil.example/"><link rel="stylesheet" href="x.css"><p>body</p>',
      BASE,
    );
    expectInert(out);
    expect(out).toBe('<p>body</p>');
  });

  it('does not let CDATA sections, comments or conditional comments smuggle markup in', () => {
    const out = sanitizeHtml('<![CDATA[<script>alert(1)</script>]]><!--<script>alert(2)</script>--><!--[if IE]><script>x</script><![endif]--><p>after</p>', BASE);
    expectInert(out);
    expect(out).toBe('<p>after</p>');
  });

  it('escapes "]]>" in text and attributes so the output is safe inside a CDATA section', () => {
    const out = sanitizeHtml('<p title="x">a ]]> b</p><img src="p.png" alt="]]>">', BASE);
    expect(out).not.toContain(']]>');
    expect(out).toContain(']]&gt;');
    expect(htmlToText(out)).toBe('a ]]> b');
  });

  it('does not allow target, id, class or unknown attributes, and adds rel to links', () => {
    const out = sanitizeHtml('<a href="https://x.example/" target="_blank" id="i" class="c" data-x="1" rel="opener">x</a>', BASE);
    expect(out).toBe('<a href="https://x.example/" rel="noopener noreferrer nofollow">x</a>');
  });

  it('keeps only numeric image dimensions', () => {
    const out = sanitizeHtml('<img src="a.png" alt="" width="640" height="100%;background:url(x)">', BASE);
    expect(out).toBe('<img src="https://news.example.org/section/a.png" alt="" width="640" />');
  });
});

describe('sanitizeHtml: ordinary article markup', () => {
  it('keeps the allowlisted elements', () => {
    const html =
      '<h2>Sub</h2><p><strong>b</strong> <em>e</em> <b>b</b> <i>i</i> <u>u</u> <code>c</code> <span>s</span> H<sub>2</sub>O x<sup>2</sup><br></p>' +
      '<ul><li>one</li></ul><ol start="3"><li>two</li></ol><blockquote><p>q</p></blockquote><pre>pre</pre><hr>' +
      '<figure><img src="https://cdn.example/i.jpg" alt="i" width="10" height="20"><figcaption>cap</figcaption></figure>' +
      '<table><caption>t</caption><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2">d</td></tr></tbody></table>';
    const out = sanitizeHtml(html, BASE);
    for (const tag of ['h2', 'p', 'strong', 'em', 'b', 'i', 'u', 'code', 'span', 'sub', 'sup', 'br', 'ul', 'ol', 'li', 'blockquote',
      'pre', 'hr', 'figure', 'img', 'figcaption', 'table', 'caption', 'thead', 'tr', 'th', 'tbody', 'td']) {
      expect(out, tag).toContain(`<${tag}`);
    }
    expect(out).toContain('<ol start="3">');
    expect(out).toContain('<td colspan="2">');
  });

  it('turns h1 into h2 (the page title is the item title)', () => {
    expect(sanitizeHtml('<h1>Big</h1>', BASE)).toBe('<h2>Big</h2>');
  });

  it('makes relative links and image sources absolute against the base URL', () => {
    const out = sanitizeHtml(
      '<a href="/about">a</a><a href="other.html#x">b</a><a href="../up?q=1&amp;r=2">c</a><a href="//cdn.example/x">d</a><img src="img/p.png" alt="">',
      BASE,
    );
    expect(out).toContain('href="https://news.example.org/about"');
    expect(out).toContain('href="https://news.example.org/section/other.html#x"');
    expect(out).toContain('href="https://news.example.org/up?q=1&amp;r=2"');
    expect(out).toContain('href="https://cdn.example/x"');
    expect(out).toContain('src="https://news.example.org/section/img/p.png"');
    expect(out.match(/rel="noopener noreferrer nofollow"/g)).toHaveLength(4);
  });

  it('keeps mailto links and drops links it cannot make absolute', () => {
    expect(sanitizeHtml('<a href="mailto:press@example.org">mail</a>', BASE)).toBe(
      '<a href="mailto:press@example.org" rel="noopener noreferrer nofollow">mail</a>',
    );
    expect(sanitizeHtml('<a href="/relative">r</a>', 'not a url')).toBe('<a>r</a>');
    expect(sanitizeHtml('<a href="ftp://x.example/f">f</a>', BASE)).toBe('<a>f</a>');
  });

  it('decodes entities in text and keeps accents', () => {
    expect(sanitizeHtml('<p>Per&uacute; &amp; M&#xE9;xico &lt;3</p>', BASE)).toBe('<p>Perú &amp; México &lt;3</p>');
  });

  it('removes control characters, U+FFFE/U+FFFF and lone surrogates, literal or as entities', () => {
    const out = sanitizeHtml('<p>a\u0001b\u0008c&#1;d&#x1F;e\uFFFEf\uFFFFg\uD800h\uDC00i\tj 😀</p>', BASE);
    expect(out).toBe('<p>abcdefghi\tj 😀</p>');
  });

  it('returns an empty string for empty input', () => {
    expect(sanitizeHtml('', BASE)).toBe('');
  });
});

describe('sanitizeHtml: HTML bombs', () => {
  it('handles a million nested unclosed elements (5 MB) in bounded time and keeps the text', () => {
    const bomb = '<div>'.repeat(1_000_000) + 'deep text';
    const started = Date.now();
    const out = sanitizeHtml(bomb, BASE);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(out).toContain('deep text');
    expect((out.match(/<div>/g) ?? []).length).toBeLessThanOrEqual(101);
  });

  it('handles deep nesting with mismatched end tags and an unterminated attribute', () => {
    const bomb = '<b><i>'.repeat(300_000) + '</u>'.repeat(300_000) + '<a title="' + 'x'.repeat(1_000_000);
    const started = Date.now();
    const out = sanitizeHtml(bomb, BASE);
    expect(Date.now() - started).toBeLessThan(20_000);
    expectInert(out);
  });

  it('drops many refused images among text in bounded time, leaving well-formed output', () => {
    const html = '<p>some text here</p><img src="data:image/gif;base64,R0lGOD" alt="x">'.repeat(100_000);
    const started = Date.now();
    const out = sanitizeHtml(html, BASE);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(out).toBe('<p>some text here</p>'.repeat(100_000));
  });

  it('handles 5 MB of flat, ordinary markup', () => {
    const html = '<p>Hello <a href="/x">world</a> &amp; friends</p>'.repeat(110_000);
    expect(html.length).toBeGreaterThan(5_000_000);
    const out = sanitizeHtml(html, BASE);
    expect(out.match(/<p>/g)).toHaveLength(110_000);
    expect(htmlToText(html).split('\n\n')).toHaveLength(110_000);
  });

  // Each of these hides a million-tag bomb from a naive tag scanner (a quote that is not a quote, a comment that is
  // not one, an element that is not raw text in htmlparser2): without an exact pre-pass each would take minutes.
  it.each([
    ['a quote inside an unquoted attribute value', '<a x=b"c>', '<b ">'],
    ['a quote inside an end tag', '</b x="> ', '">'],
    ['a comment opener inside CDATA', '<![CDATA[ x> <!-- ]]>', '-->'],
    ['the short comment <!-->', '<!-->', '-->'],
    ['noscript, which is not raw text', '<noscript>', ''],
    ['a self-closing <div/>, which HTML ignores', '', ''],
    ['svg elements', '', ''],
  ])('bounds the parser\'s depth despite %s', (name, before, after) => {
    const unit = name.startsWith('a self-closing') ? '<div/>' : name.startsWith('svg') ? '<svg><g>' : '<div>';
    const bomb = before + unit.repeat(400_000) + after;
    const started = Date.now();
    sanitizeHtml(bomb, BASE);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('limitNesting leaves ordinary documents alone, blanks comments and raw-text elements, cuts only excess depth', () => {
    const doc = '<div><p a="x>y">a<p>b<ul><li>x<li>y</ul><img src=a.png></div>';
    expect(limitNesting(doc)).toBe(doc);
    expect(limitNesting('a<!-- c -->b<script>"<div>".repeat(9)</script>c<![CDATA[x]]>d<?php x ?>e')).toBe('abcde');
    // The too-deep start tag goes; its end tag stays for the parser to ignore.
    expect(limitNesting('<i><b><u>x</u></b></i>', 2)).toBe('<i><b>x</u></b></i>');
    expect(sanitizeHtml('<i><b><u>x</u></b></i>', BASE)).toBe('<i><b><u>x</u></b></i>');
    // A cut never joins a '<' to what follows into a new tag.
    expect(limitNesting('<<!---->div>')).toBe('< div>');
    expect(limitNesting('<i><<b>b>', 1)).toBe('<i>< b>');
  });

  it('keeps the real parser\'s open-element stack within the limit on random hostile markup (fuzz)', () => {
    const fragments = ['<div>', '<b>', '</b>', '<p>', '</p>', '<', '>', '"', "'", '=', ' ', '/', '<!--', '-->', '<!-->',
      '<![CDATA[', ']]>', '<!', '<?', '</', '</ ', '</<', '</ b>', '</b/>', '<script>', '</script>', '<svg>', '<div/>', 'a',
      '<a x=', '<title>', '</title', '&amp;', '<br>', '</br>', '<li>', '<td>', '<tr>', '<th>', '<thead>', '<tbody>',
      '<table>', '\n', '<math>', '<xmp>', '</xmp>', '<textarea>', '<noscript>', '<style/>', 'x="', '<i ', '<BR>', '<TD>',
      '<P>', '<image>', '<hr>', '<select>', '<input>', '<option>', '<optgroup>', '<dd>', '<dt>', '<h2>', '<ul>', '<rt>',
      '<body>', '<head>', '</div>', '</td>', '<a x="y" / >', '<a/x>', '\t', '\f', '<q\f>', '<z\fx=">">'];
    let seed = 20260101;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const limit = 4;
    for (let run = 0; run < 3000; run++) {
      let html = '';
      const length = 5 + Math.floor(random() * 120);
      for (let k = 0; k < length; k++) html += random() < 0.4 ? '<div>' : fragments[Math.floor(random() * fragments.length)];
      let deepest = 0;
      const parser: Parser = new Parser(
        { onopentag: () => { deepest = Math.max(deepest, (parser as unknown as { stack: string[] }).stack.length); } },
        { decodeEntities: true, lowerCaseTags: true },
      );
      parser.end(limitNesting(html, limit));
      // +1: "</p>" with no open p makes the parser open and at once close one.
      expect(deepest, html).toBeLessThanOrEqual(limit + 1);
    }
  });

  it('is not fooled into uncounted tags by cutting between "<" and a name, at depth', () => {
    const bomb = '<i>'.repeat(100) + '<<b>b>'.repeat(400_000);
    const started = Date.now();
    sanitizeHtml(bomb, BASE);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('htmlToText', () => {
  it('separates blocks by blank lines, keeps line breaks, decodes entities and collapses white space', () => {
    const html = '<h2>Title</h2>\n<p>First   para&nbsp;with <b>bold</b>\n and&#160;M&eacute;xico.</p><p>Line one<br>Line   two</p><ul><li>a</li><li>b</li></ul>';
    expect(htmlToText(html)).toBe('Title\n\nFirst para with bold and México.\n\nLine one\nLine two\n\na\n\nb');
  });

  it('drops scripts, styles and comments', () => {
    expect(htmlToText('<p>a<script>var x = "<p>no</p>";</script><style>.x{}</style><!-- c -->b</p>')).toBe('ab');
  });

  it('gives plain text for plain text and an empty string for empty markup', () => {
    expect(htmlToText('just text &amp; more')).toBe('just text & more');
    expect(htmlToText('<p> </p><div></div>')).toBe('');
  });
});

describe('summarize', () => {
  it('returns short text unchanged but with white space collapsed', () => {
    expect(summarize('  a\n\nshort   text ')).toBe('a short text');
  });

  it('cuts at a word boundary with an ellipsis, within the limit', () => {
    const text = 'The Pacific Alliance held a second technical workshop on Article six of the Paris Agreement, with experts.';
    const out = summarize(text, 60);
    expect(out).toBe('The Pacific Alliance held a second technical workshop on…');
    expect(out.length).toBeLessThanOrEqual(60);
  });

  it('defaults to 280 characters', () => {
    const out = summarize('word '.repeat(200));
    expect(out.length).toBeLessThanOrEqual(280);
    expect(out.endsWith('word…')).toBe(true);
  });

  it('hard-cuts a single overlong word without splitting a surrogate pair', () => {
    expect(summarize('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
    const out = summarize('a' + '😀'.repeat(20), 5);
    expect(out).toBe('a😀…');
  });
});

describe('stripInvalidXmlChars', () => {
  it('keeps tab, newline, carriage return and astral characters, removes the rest', () => {
    expect(stripInvalidXmlChars('a\tb\nc\rd\u0000e\u000Bf\u000Cg\u001Fh\uFFFEi\uFFFFj\uDBFFk\uDFFFl🎉')).toBe('a\tb\nc\rdefghijkl🎉');
  });

  it('returns the same string when nothing is invalid', () => {
    const text = 'Perú — “ok”';
    expect(stripInvalidXmlChars(text)).toBe(text);
  });
});

describe('textToHtml', () => {
  it('makes escaped paragraphs from blank-line separated text', () => {
    expect(textToHtml('First line\ncontinues <here> & "there"\n\n  \n\nSecond\r\n\r\nThird')).toBe(
      '<p>First line continues &lt;here&gt; &amp; &quot;there&quot;</p>\n<p>Second</p>\n<p>Third</p>',
    );
  });

  it('gives an empty string for blank text and round-trips through htmlToText', () => {
    expect(textToHtml(' \n\n ')).toBe('');
    const text = 'One & two.\n\nThree <four>.';
    expect(htmlToText(textToHtml(text))).toBe(text);
  });
});

describe('sanitizedHtmlToText (the fast path ingestion takes on its own sanitised output)', () => {
  it('gives exactly what htmlToText gives, on the seed, the feed fixtures and hostile markup', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { parseDigest } = await import('../../lambdas/core/ingest/news-digest-parser.js');
    const { parseFeed } = await import('../../lambdas/core/ingest/feed-parser.js');
    const { sanitizedHtmlToText } = await import('../../lambdas/core/ingest/sanitize.js');
    const corpus: string[] = [
      '<p>Tom &amp; Jerry &lt;3 &quot;quoted&quot; &#39;single&#39; &nbsp;spaced</p>',
      '<div><p>one<br>two<br/>three</p><ul><li>a</li><li>b <a href="https://x.example/?a=1&b=2" title="x > y">link</a></li></ul></div>',
      '<table><tr><th scope="col">h</th><td colspan="2">c</td></tr></table><hr><h1>Title</h1><pre>  pre  text </pre>',
      '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a><img src="/a.png" alt="a > b"></p>',
      '<blockquote><p>quote</p></blockquote><figure><img src="https://i.example/x.png"><figcaption>cap &gt; tion</figcaption></figure>',
      'plain text with a < b and c > d',
      '<p>unclosed <b>bold <i>italic</p> tail',
    ];
    const seed = parseDigest(readFileSync(new URL('../../samples/pacific-alliance-digest.txt', import.meta.url), 'utf8'), { sourceUrl: 'https://p.example/' });
    corpus.push(...seed.entries.map((e) => e.contentHtml ?? ''));
    const dir = new URL('../fixtures/feeds/', import.meta.url);
    for (const file of readdirSync(dir)) {
      try {
        const feed = parseFeed(readFileSync(new URL(file, dir)), { baseUrl: 'https://p.example/feed' });
        for (const e of feed.entries) corpus.push(e.contentHtml ?? '', e.summary ?? '');
      } catch {
        // fixtures of broken feeds have no entries to compare
      }
    }
    expect(corpus.length).toBeGreaterThan(30);
    for (const html of corpus) {
      const clean = sanitizeHtml(html, 'https://p.example/item');
      expect(sanitizedHtmlToText(clean)).toBe(htmlToText(clean));
    }
  });
});
