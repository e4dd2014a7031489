import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, topicScores } from '../../lambdas/core/ingest/classify.js';
import { parseDigest } from '../../lambdas/core/ingest/news-digest-parser.js';
import { htmlToText } from '../../lambdas/core/ingest/sanitize.js';

const ALL = ['cl', 'co', 'mx', 'pe'];
const item = (title: string, text = '', categories: string[] = [], extra: { defaultCountries?: string[]; defaultTopics?: string[] } = {}) =>
  classify({ title, text, categories, ...extra });

describe('classify: the seed digest', () => {
  const seed = parseDigest(readFileSync(new URL('../../samples/pacific-alliance-digest.txt', import.meta.url), 'utf8'), {
    sourceUrl: 'https://news.example.org/digest.txt',
  });
  const EXPECTED_TOPICS = [
    ['climate-environment'],
    ['digital-transformation', 'education-skills'],
    ['climate-environment', 'fisheries-oceans'],
    ['international-cooperation'],
    ['climate-environment', 'education-skills', 'gender-inclusion'],
    ['gender-inclusion', 'smes-entrepreneurship', 'trade-investment'],
    ['gender-inclusion', 'smes-entrepreneurship', 'trade-investment'],
    ['education-skills', 'international-cooperation'],
    ['education-skills', 'scholarships-mobility'],
    ['digital-transformation', 'education-skills'],
  ];

  it('classifies every seed item bloc-wide (each names all four members, or none) with its topics', () => {
    expect(seed.entries).toHaveLength(10);
    const results = seed.entries.map((e) => classify({ title: e.title, text: htmlToText(e.contentHtml ?? ''), categories: e.categories }));
    for (const result of results) {
      expect(result.blocWide).toBe(true);
      expect(result.countries).toEqual(ALL);
      expect(result.provenance).toEqual({ countries: 'rule', topics: 'rule' });
    }
    expect(results.map((r) => r.topics)).toEqual(EXPECTED_TOPICS);
  });

  it('counts national promotion agencies (ProChile, ProColombia, PromPerú) as naming their country', () => {
    const women = seed.entries[6]!;
    expect(women.title).toMatch(/^Women and MSMEs/);
    expect(item(women.title, htmlToText(women.contentHtml!)).countries).toEqual(ALL);
    expect(item('', 'ProChile and PromPerú signed').countries).toEqual(['cl', 'pe']);
  });
});

describe('classify: countries', () => {
  it('names the countries mentioned, in English or Spanish, with or without accents, sorted', () => {
    expect(item('Peru and Chile sign a memorandum')).toMatchObject({ countries: ['cl', 'pe'], blocWide: false });
    expect(item('Reunión en Perú', 'Delegación mexicana llega a Bogotá')).toMatchObject({ countries: ['co', 'mx', 'pe'], blocWide: false });
    expect(item('CHILE HOSTS THE SUMMIT').countries).toEqual(['cl']);
    expect(item('', 'A fair in Medellín and Cusco').countries).toEqual(['co', 'pe']);
  });

  it('is bloc-wide, with all four codes, when all four are named', () => {
    const result = item('Teachers from Chile, Colombia, México and Perú');
    expect(result).toMatchObject({ countries: ALL, blocWide: true, provenance: { countries: 'rule' } });
  });

  it('is bloc-wide when no member is named and the source has no default', () => {
    expect(item('The bloc meets its observer states', 'Hungary and Japan attended.')).toMatchObject({
      countries: ALL,
      blocWide: true,
      provenance: { countries: 'rule' },
    });
  });

  it('matches whole words only: no Chile in chilli, no Lima in Limassol or sublimation, no Peru in Perugia', () => {
    const result = item('Chilli festival in Limassol', 'A sublime sublimation show; then Perugia and Colombiana-style food? No: Colombianas is a word.');
    expect(result.countries).toEqual(['co']);
    expect(item('Chilli festival in Limassol', 'Sublimation in Perugia').blocWide).toBe(true);
  });

  it('does not read the common nouns "chile" (pepper) and "lima" (lime) in lower case as countries', () => {
    expect(item('Receta', 'Agregue chile serrano y jugo de lima al gusto.').provenance.countries).toBe('rule');
    expect(item('Receta', 'Agregue chile serrano y jugo de lima al gusto.').blocWide).toBe(true);
    expect(item('Ministers meet in Lima').countries).toEqual(['pe']);
  });

  it('does not read New Mexico or chile peppers as member countries', () => {
    expect(item('Trade fair in New Mexico', 'Chile peppers from Nuevo México.').blocWide).toBe(true);
    expect(item('Trade fair in New Mexico and Mexico').countries).toEqual(['mx']);
  });

  it('uses source categories first: names, Spanish names and exact codes', () => {
    expect(item('Chile and Peru meet', '', ['México'])).toMatchObject({ countries: ['mx'], provenance: { countries: 'source' } });
    expect(item('', '', ['CO', 'pe'])).toMatchObject({ countries: ['co', 'pe'], provenance: { countries: 'source' } });
    expect(item('', '', ['Noticias de Perú'])).toMatchObject({ countries: ['pe'], provenance: { countries: 'source' } });
    expect(item('', '', ['chile'])).toMatchObject({ countries: ['cl'], provenance: { countries: 'source' } });
  });

  it('does not take a country code from inside a longer category', () => {
    expect(item('Chile news', '', ['Co-operation', 'PE teachers']).countries).toEqual(['cl']);
  });

  it('falls back to the source defaults, ignoring unknown codes', () => {
    expect(item('The bloc meets', '', [], { defaultCountries: ['CL', 'ar'] })).toMatchObject({
      countries: ['cl'],
      blocWide: false,
      provenance: { countries: 'default' },
    });
    expect(item('Peru hosts', '', [], { defaultCountries: ['cl'] })).toMatchObject({ countries: ['pe'], provenance: { countries: 'rule' } });
    expect(item('The bloc meets', '', [], { defaultCountries: ['pe', 'mx', 'co', 'cl'] })).toMatchObject({ countries: ALL, blocWide: true });
  });
});

describe('classify: topics', () => {
  it('takes a topic named in the title', () => {
    expect(item('New scholarships for students')).toMatchObject({ topics: ['scholarships-mobility'], provenance: { topics: 'rule' } });
  });

  it('takes a topic named twice in the text, but not once', () => {
    expect(item('News', 'Aquaculture and fisheries experts met.').topics).toEqual(['fisheries-oceans']);
    expect(item('News', 'They also discussed aquaculture.').topics).toEqual([]);
  });

  it('matches Spanish keywords without accents and multi-word phrases', () => {
    expect(item('Foro de comercio electrónico').topics).toEqual(['digital-transformation']);
    expect(item('Nuevas becas de movilidad estudiantil').topics).toEqual(['scholarships-mobility']);
    expect(item('Workshop on e-commerce').topics).toEqual(['digital-transformation']);
    expect(item('Igualdad de género en las pymes').topics).toEqual(['gender-inclusion', 'smes-entrepreneurship']);
  });

  it('classifies a Spanish item', () => {
    const result = item(
      'La Alianza del Pacífico impulsa la pesca sostenible',
      'Chile y Perú firmaron un memorando sobre acuicultura y océanos. La cooperación técnica seguirá en 2024.',
    );
    expect(result).toEqual({
      countries: ['cl', 'pe'],
      topics: ['climate-environment', 'fisheries-oceans', 'international-cooperation'],
      blocWide: false,
      provenance: { countries: 'rule', topics: 'rule' },
    });
  });

  it('reads "Paris Agreement" as climate, not as a cooperation agreement', () => {
    expect(item('Workshop on Article 6 of the Paris Agreement').topics).toEqual(['climate-environment']);
  });

  it('keeps at most three topics, the best by score, sorted by slug', () => {
    const result = item(
      'Women entrepreneurs, digital trade, scholarships and fisheries',
      'Digital digital digital. Trade trade trade. Women women. Fisheries.',
    );
    expect(result.topics).toEqual(['digital-transformation', 'gender-inclusion', 'trade-investment']);
    const scores = topicScores('Women entrepreneurs, digital trade, scholarships and fisheries', 'Digital digital digital.');
    expect(scores.get('digital-transformation')).toEqual({ score: 6, title: 1, text: 3 });
  });

  it('drops a topic mentioned in passing in a long text about something else', () => {
    const text = `${'Trade and exports and investment. '.repeat(10)} The fair was sustainable and sustainable.`;
    expect(item('Business round', text).topics).toEqual(['trade-investment']);
  });

  it('uses source categories first: slugs, names in either language and keywords', () => {
    expect(item('Scholarships', '', ['trade-investment'])).toMatchObject({ topics: ['trade-investment'], provenance: { topics: 'source' } });
    expect(item('', '', ['Medio Ambiente', 'Educación y competencias'])).toMatchObject({
      topics: ['climate-environment', 'education-skills'],
      provenance: { topics: 'source' },
    });
    expect(item('', '', ['Fisheries and oceans'])).toMatchObject({ topics: ['fisheries-oceans'], provenance: { topics: 'source' } });
  });

  it('falls back to default topics, then to international cooperation only when it is mentioned, else none', () => {
    expect(item('A meeting', '', [], { defaultTopics: ['Tourism-Culture', 'nope'] })).toMatchObject({
      topics: ['tourism-culture'],
      provenance: { topics: 'default' },
    });
    expect(item('A meeting', 'In the spirit of cooperation.')).toMatchObject({ topics: ['international-cooperation'], provenance: { topics: 'rule' } });
    expect(item('A meeting', 'Nothing specific.')).toMatchObject({ topics: [], provenance: { topics: 'rule' } });
  });

  it('reads "digital culture" as digital transformation, not culture', () => {
    expect(item('News', 'Digital culture and digital culture.').topics).toEqual(['digital-transformation']);
  });
});

describe('classify: determinism', () => {
  it('gives the same, sorted result whatever the order of categories and defaults', () => {
    const a = classify({ title: 'x', text: '', categories: ['Peru', 'Chile', 'Education', 'Trade'] });
    const b = classify({ title: 'x', text: '', categories: ['Trade', 'Education', 'Chile', 'Peru'] });
    expect(a).toEqual(b);
    expect(a.countries).toEqual(['cl', 'pe']);
    expect(a.topics).toEqual(['education-skills', 'trade-investment']);
  });

  it('handles empty and very long input', () => {
    expect(classify({ title: '', text: '', categories: [] })).toEqual({
      countries: ALL,
      topics: [],
      blocWide: true,
      provenance: { countries: 'rule', topics: 'rule' },
    });
    const long = 'Chile trade '.repeat(200_000);
    expect(item('x', long)).toMatchObject({ countries: ['cl'], topics: ['trade-investment'] });
  });
});
