import { describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import {
  buildMessage,
  compileContentGroup,
  compileMerge,
  emptySegments,
  groupKeyFor,
  inAudience,
  itemsFor,
  maxHtmlBytes,
  merge,
  mergeMarker,
  type MergeField,
  newsletterModel,
  preflightGroup,
  prepareGroup,
  renderText,
} from '../../lambdas/core/editions/newsletter.js';
import { composeMjml, createMjmlRenderer, fill, loadTemplates, TemplateError } from '../../lambdas/adapters/mjml/renderer.js';
import { aBrand, aSubscriber, anItem } from '../support/editions-fixtures.js';

const templates = loadTemplates();
const items = [
  anItem({ id: 'a', countries: ['cl'], topics: ['trade-investment'], title: 'Chile & trade <news>' }),
  anItem({ id: 'b', countries: ['pe'], topics: ['education-skills'] }),
  anItem({ id: 'c', countries: ['cl', 'co', 'mx', 'pe'], blocWide: true, topics: ['climate-environment'] }),
];
const input = (language: 'es' | 'en', list = items) => ({ language, subject: 'Weekly news', intro: 'Hello\nreaders', items: list, archiveUrl: 'https://news.example.org/archive/ed1', brand: aBrand });

describe('MJML templates', () => {
  for (const language of ['es', 'en'] as const) {
    it(`the ${language} email validates strictly with mjml v5 (async)`, async () => {
      const model = newsletterModel(input(language));
      const source = composeMjml(templates, model);
      const out = await mjml2html(source, { validationLevel: 'strict' });
      expect(out.errors).toEqual([]);
      expect(out.html).toContain(mergeMarker(model.mergeNonce, 'unsubscribe_url'));
      expect(out.html).toContain(mergeMarker(model.mergeNonce, 'preferences_url'));
      expect(out.html).toContain('https://news.example.org/archive/ed1');
      expect(out.html).toContain(language === 'es' ? 'Leer más' : 'Read more');
      expect(out.html).toContain(language === 'es' ? 'Darme de baja' : 'Unsubscribe');
      expect(out.html).toContain('Chile &amp; trade &lt;news&gt;');
    });
  }

  it('strict validation rejects a broken template instead of rendering it', async () => {
    const broken = { ...templates, item: '<mj-text>outside a column</mj-text>' };
    const source = composeMjml(broken, newsletterModel(input('en')));
    await expect(mjml2html(source, { validationLevel: 'strict' })).rejects.toThrow(/mj-text/);
    await expect(createMjmlRenderer({ templates: broken }).renderHtml(newsletterModel(input('en')))).rejects.toThrow();
  });

  it('an unknown template variable is an error, not an empty string', () => {
    expect(() => fill('<mj-text>{% nope %}</mj-text>', {})).toThrow(TemplateError);
  });

  it('a template merge slot for a field we do not merge is an error too', () => {
    expect(() => fill('<a href="{{name}}">x</a>', {}, 'n0')).toThrow(TemplateError);
    expect(fill('<a href="{{ unsubscribe_url }}">x</a>', {}, 'n0')).toBe(`<a href="${mergeMarker('n0', 'unsubscribe_url')}">x</a>`);
  });
});

describe('who gets what', () => {
  it('matches items by country (bloc-wide items match every country) and topic; empty preferences match all', () => {
    expect(itemsFor(aSubscriber({ id: 's', countries: ['cl'], topics: [] }), items)).toEqual(['a', 'c']);
    expect(itemsFor(aSubscriber({ id: 's', countries: ['pe'], topics: ['education-skills'] }), items)).toEqual(['b']);
    expect(itemsFor(aSubscriber({ id: 's', countries: ['mx'], topics: ['fisheries-oceans'] }), items)).toEqual([]);
    expect(itemsFor(aSubscriber({ id: 's' }), items)).toEqual(['a', 'b', 'c']);
  });

  it('an audience narrows both who is included and which items they get', () => {
    const audience = { countries: ['pe' as const], languages: ['es' as const] };
    expect(inAudience(aSubscriber({ id: 's', language: 'en' }), audience)).toBe(false);
    expect(inAudience(aSubscriber({ id: 's', language: 'es', countries: ['cl'] }), audience)).toBe(false);
    expect(inAudience(aSubscriber({ id: 's', language: 'es', countries: [] }), audience)).toBe(true);
    expect(itemsFor(aSubscriber({ id: 's' }), items, audience)).toEqual(['b', 'c']);
  });

  it('a content group key depends on language and the set of items, not their order', () => {
    expect(groupKeyFor('en', ['a', 'b'])).toBe(groupKeyFor('en', ['b', 'a']));
    expect(groupKeyFor('en', ['a', 'b'])).not.toBe(groupKeyFor('es', ['a', 'b']));
    expect(groupKeyFor('en', ['a'])).not.toBe(groupKeyFor('en', ['a', 'b']));
  });
});

describe('content groups and merge', () => {
  const renderer = createMjmlRenderer();

  it('compiles once and merges personal links per recipient, with RFC 8058 and matching headers', async () => {
    const group = await compileContentGroup(renderer, input('es'));
    const prepared = prepareGroup(group);
    const message = buildMessage(
      prepared,
      {
        subscriberId: 'sub-1',
        email: 'one@example.org',
        values: { unsubscribe_url: 'https://x.example/u/tok?a=1&b=2', preferences_url: 'https://x.example/preferences/p', view_url: 'https://x.example/view/ed1/v' },
        headers: [
          { name: 'List-Unsubscribe', value: '<https://x.example/u/tok>' },
          { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
        ],
      },
      { from: 'news@example.org', editionId: 'ed1' },
    );
    expect(message.html).toContain('href="https://x.example/u/tok?a=1&amp;b=2"');
    expect(message.html).not.toMatch(/\{\{|\{%/);
    expect(message.text).toContain('Darme de baja: https://x.example/u/tok?a=1&b=2');
    expect(message.text).toContain('Cambiar mis preferencias: https://x.example/preferences/p');
    expect(message.text).toContain('Leer más: https://news.example.org/a');
    expect(message.headers?.map((h) => h.name)).toEqual(['List-Unsubscribe', 'List-Unsubscribe-Post', 'X-Edition-Id', 'X-Subscriber-Id']);
    expect(message.tags).toEqual({ edition: 'ed1', subscriber: 'sub-1' });
    expect(Buffer.byteLength(message.html)).toBeLessThan(maxHtmlBytes);
  });

  it("merge is a join of precomputed parts split on this compile's markers only", () => {
    const [u, p] = [mergeMarker('n1', 'unsubscribe_url'), mergeMarker('n1', 'preferences_url')];
    const program = compileMerge(`a ${u} b ${p} c {{name}} {{unsubscribe_url}} ${mergeMarker('n0', 'preferences_url')}`, 'n1');
    expect(program.fields).toEqual(['unsubscribe_url', 'preferences_url']);
    expect(merge(program, { unsubscribe_url: 'U', preferences_url: 'P', view_url: 'V' })).toBe(`a U b P c {{name}} {{unsubscribe_url}} ${mergeMarker('n0', 'preferences_url')}`);
  });

  it('the text part is a real alternative with every item, its link, and the footer links', () => {
    const model = newsletterModel(input('en'));
    const text = renderText(model);
    for (const item of items) {
      expect(text).toContain(item.title);
      expect(text).toContain(item.link);
    }
    // "View in your browser" is the subscriber's own version (merged per recipient); the public page is the one to share.
    expect(text).toContain(`View in your browser: ${mergeMarker(model.mergeNonce, 'view_url')}`);
    expect(text).toContain('Version to share: https://news.example.org/archive/ed1');
    expect(text).toContain(mergeMarker(model.mergeNonce, 'unsubscribe_url'));
  });
});

describe('pre-flight checks', () => {
  const renderer = createMjmlRenderer();

  it('passes a normal edition', async () => {
    const group = await compileContentGroup(renderer, input('en'));
    expect(preflightGroup(group).filter((i) => i.level === 'error')).toEqual([]);
  });

  it('reports an email over 102 KB, broken and non-https links, unmerged template slots and missing alt text', async () => {
    const many = Array.from({ length: 120 }, (_, n) => anItem({ id: `x${n}`, summary: 'word '.repeat(80) }));
    const big = await compileContentGroup(renderer, input('en', many));
    expect(preflightGroup(big).map((i) => i.code)).toContain('preflight.tooLarge');

    const bad = await compileContentGroup(renderer, input('en', [
      anItem({ id: 'h', link: 'http://insecure.example.org/a' }),
      anItem({ id: 'j', link: 'javascript:alert(1)' }),
    ]));
    // A template slot for a field no merge fills (the renderer refuses one; a group built otherwise is caught here).
    const withImage = { ...bad, html: bad.html.replace('</body>', `<img src="https://x.example/i.png">${mergeMarker(bad.mergeNonce, 'name' as MergeField)}</body>`) };
    const codes = preflightGroup(withImage).map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining(['preflight.insecureLink', 'preflight.brokenLink', 'preflight.placeholder', 'preflight.missingAlt']));
  });

  it('reports an edition without items and audience segments that would get nothing', () => {
    expect(emptySegments([], undefined).map((i) => i.code)).toEqual(['preflight.noItems']);
    const issues = emptySegments(items, { countries: ['mx', 'cl'], topics: ['fisheries-oceans'] });
    expect(issues.map((i) => i.code)).toContain('preflight.emptySegment');
  });
});

describe('content is never merged with a recipient’s links', () => {
  const renderer = createMjmlRenderer();
  const secret = { unsubscribe_url: 'https://x.example/u/SECRET-UNSUB', preferences_url: 'https://x.example/p/SECRET-PREFS', view_url: 'https://x.example/view/ed1/SECRET-VIEW' };
  const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

  /** A group compiled earlier: its markers are what an attacker could at best have seen. */
  const previous = compileContentGroup(renderer, input('en'));
  const hostile: Array<[string, (old: string) => string]> = [
    ['{{preferences_url}}', () => '{{preferences_url}}'],
    ['{{unsubscribe_url}} with spaces', () => 'x {{ unsubscribe_url }} y'],
    ['template tags', () => '{% if x %}hi{% endif %} {%! footer %} {% subject %}'],
    ['a previous compile’s markers', (old) => `${mergeMarker(old, 'preferences_url')} ${mergeMarker(old, 'unsubscribe_url')}`],
    ['a marker with an unknown nonce', () => 'mergefield-0123456789abcdef0123456789abcdef-unsubscribe_url'],
  ];

  it.each(hostile)('an item, intro and subject holding %s reach readers literally, and the pre-flight passes', async (_name, make) => {
    const text = make((await previous).mergeNonce);
    const evil = anItem({ id: 'evil', title: `Title ${text}`, summary: `Summary ${text}`, link: `https://evil.example/?next=${encodeURIComponent(text)}&raw=${text.replace(/\s/g, '')}`, contentHtml: `<p>${text}</p>` });
    const group = await compileContentGroup(renderer, { ...input('en', [evil, items[1]!]), subject: `Subject ${text}`, intro: `Intro ${text}` });

    expect(preflightGroup(group).filter((i) => i.level === 'error')).toEqual([]);

    const headers = [{ name: 'List-Unsubscribe', value: '<https://x.example/one-click>' }];
    const message = buildMessage(prepareGroup(group), { subscriberId: 's1', email: 'one@example.org', values: secret, headers }, { from: 'news@example.org', editionId: 'ed1' });
    // Each personal link appears exactly where our footer puts it, once per part, and nowhere in headers.
    for (const link of Object.values(secret)) {
      expect(occurrences(message.html, link)).toBe(1);
      expect(occurrences(message.text, link)).toBe(1);
      expect(message.subject).not.toContain(link);
      expect(JSON.stringify(message.headers)).not.toContain('SECRET');
    }
    // What the source wrote is what the reader sees.
    expect(message.subject).toBe(`Subject ${text}`);
    expect(message.text).toContain(`Title ${text}`);
    expect(message.text).toContain(`Summary ${text}`);
    expect(message.text).toContain(`Intro ${text}`);
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    expect(message.html).toContain(`Title ${escaped}`);
    expect(message.html).toContain(`Summary ${escaped}`);
  });

  it('each compile draws its own markers', async () => {
    const [a, b] = await Promise.all([compileContentGroup(renderer, input('en')), compileContentGroup(renderer, input('en'))]);
    expect(a.mergeNonce).toMatch(/^[0-9a-f]{32}$/);
    expect(a.mergeNonce).not.toBe(b.mergeNonce);
  });
});

describe('header values are one line', () => {
  const renderer = createMjmlRenderer();
  it.each([
    ['subject', { subject: 'Weekly\r\nBcc: all@example.org' }, {}],
    ['subject (LF only)', { subject: 'Weekly\nBcc: all@example.org' }, {}],
    ['a header value', {}, { headers: [{ name: 'List-Unsubscribe', value: '<https://x.example/u>\r\nBcc: all@example.org' }] }],
  ])('a line break in the %s is refused when the message is built, and the pre-flight reports a subject one', async (_name, group, recipient) => {
    const compiled = { ...(await compileContentGroup(renderer, input('en'))), ...group };
    const build = () =>
      buildMessage(prepareGroup(compiled), { subscriberId: 's1', email: 'one@example.org', values: { unsubscribe_url: 'https://x.example/u', preferences_url: 'https://x.example/p', view_url: 'https://x.example/view/ed1/v' }, headers: [], ...recipient }, { from: 'news@example.org', editionId: 'ed1' });
    expect(build).toThrow(expect.objectContaining({ code: 'email.headerLineBreak' }));
    if ('subject' in group) expect(preflightGroup(compiled).map((i) => i.code)).toContain('preflight.subjectLineBreak');
  });
});
