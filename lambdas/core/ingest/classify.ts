// Classification of news items by member country and topic, from the taxonomy (core/taxonomy/).
//
// Order of evidence (the first that gives an answer wins, separately for countries and for topics):
//   1. the source's own categories: a category equal to a country code or topic slug, or naming a country or topic
//      (its English or Spanish name, or one of its keywords), case- and accent-insensitive;
//   2. keyword rules over the title and text, in English and Spanish: whole words and phrases, case- and
//      accent-insensitive, longest phrase first (so "Paris Agreement" is a climate phrase, not a bare "agreement",
//      and "New Mexico" is not Mexico);
//   3. the source's default countries or topics.
// Countries: an item that names every member, or none (and has no defaults), is bloc-wide: it carries every member's
// code, however many members there are, so that it sits in every country's feed. Topics: a topic counts when it is named in the title, or when it is
// named at least twice in the text and reaches a quarter of the best topic's score; at most three, the best by
// score (a title mention weighs three text mentions; ties go to the taxonomy's order). When none
// qualifies and there are no default topics, a weaker mention of international cooperation is used; else no topic.
// Output lists are sorted (country codes and topic slugs alphabetically), so the result is deterministic.
import { currentTaxonomy, type CountryCode, type Taxonomy, type TopicSlug } from '../taxonomy/taxonomy.js';

export interface Classification {
  countries: CountryCode[];
  topics: TopicSlug[];
  blocWide: boolean;
  provenance: { countries: 'source' | 'rule' | 'default'; topics: 'source' | 'rule' | 'default' };
}

export interface ClassifyInput {
  title: string;
  /** Plain text of the item (use htmlToText on HTML content). */
  text: string;
  categories: string[];
  defaultCountries?: string[];
  defaultTopics?: string[];
}

/** Topics kept per item, at most. */
export const MAX_TOPICS = 3;
/** A title mention weighs as much as this many mentions in the text. */
export const TITLE_WEIGHT = 3;
/** Minimum score for a topic: one title mention, or two mentions in the text. */
export const TOPIC_THRESHOLD = 2;
/** A topic must also reach this share of the best topic's score. */
export const RELATIVE_THRESHOLD = 0.25;

/** Words that also are common nouns in lower case (chile = chilli pepper, lima = lime/file): they name a country
 *  only when written with a capital letter (in categories, which are labels, case does not matter). */
const CAPITALISED_ONLY = new Set(['chile', 'lima', 'cali']);

/** Phrases that contain a country or topic word but mean something else: matched first, and counted for nothing. */
const STOP_PHRASES = ['new mexico', 'nuevo mexico', 'gulf of mexico', 'chile pepper', 'chile peppers', 'chile con carne',
  'lima bean', 'lima beans', 'sustainable development goals'];

/** Phrases given to a topic here rather than in the taxonomy's keywords because they override a shorter keyword's meaning. */
const EXTRA_TOPIC_PHRASES: Array<[TopicSlug, string]> = [
  ['digital-transformation', 'digital culture'],
  ['digital-transformation', 'cultura digital'],
];

type Target = { kind: 'country'; code: CountryCode } | { kind: 'topic'; slug: TopicSlug } | { kind: 'none' };

interface Phrase {
  tokens: string[];
  capitalisedOnly: boolean;
  targets: Target[];
}

interface Token {
  word: string;
  capitalised: boolean;
}

const TOKEN = /[\p{L}\p{N}]+/gu;

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '');
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of fold(text).matchAll(TOKEN)) {
    const raw = match[0];
    const word = raw.toLowerCase();
    const first = raw[0]!;
    tokens.push({ word, capitalised: first !== first.toLowerCase() });
  }
  return tokens;
}

const words = (phrase: string) => tokenize(phrase).map((t) => t.word);

/** Index of phrases by first word; each word list sorted longest phrase first. Built once per taxonomy snapshot. */
const indexes = new WeakMap<Taxonomy, Map<string, Phrase[]>>();
function indexOf(taxonomy: Taxonomy): Map<string, Phrase[]> {
  let index = indexes.get(taxonomy);
  if (!index) indexes.set(taxonomy, (index = buildIndex(taxonomy)));
  return index;
}

function buildIndex(taxonomy: Taxonomy): Map<string, Phrase[]> {
  const byKey = new Map<string, Phrase>();
  const add = (phrase: string, target: Target) => {
    const tokens = words(phrase);
    if (tokens.length === 0) return;
    const key = tokens.join(' ');
    let entry = byKey.get(key);
    if (!entry) {
      entry = { tokens, capitalisedOnly: tokens.length === 1 && CAPITALISED_ONLY.has(key), targets: [] };
      byKey.set(key, entry);
    }
    const same = entry.targets.some((t) => JSON.stringify(t) === JSON.stringify(target));
    if (!same) entry.targets.push(target);
  };
  for (const country of taxonomy.countries) {
    for (const name of [country.names.en, country.names.es, ...country.keywords.en, ...country.keywords.es]) add(name, { kind: 'country', code: country.code });
  }
  for (const topic of taxonomy.topics) {
    for (const keyword of [...topic.keywords.en, ...topic.keywords.es]) add(keyword, { kind: 'topic', slug: topic.slug });
  }
  for (const [slug, phrase] of EXTRA_TOPIC_PHRASES) if (taxonomy.isTopicSlug(slug)) add(phrase, { kind: 'topic', slug });
  for (const phrase of STOP_PHRASES) add(phrase, { kind: 'none' });
  const index = new Map<string, Phrase[]>();
  for (const phrase of byKey.values()) {
    const list = index.get(phrase.tokens[0]!) ?? [];
    list.push(phrase);
    index.set(phrase.tokens[0]!, list);
  }
  for (const list of index.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
  return index;
}

interface Hits {
  countries: Map<CountryCode, number>;
  topics: Map<TopicSlug, number>;
}

/** Counts country and topic mentions, scanning left to right and taking the longest phrase at each position. */
function scan(taxonomy: Taxonomy, text: string, respectCase: boolean): Hits {
  const hits: Hits = { countries: new Map(), topics: new Map() };
  const tokens = tokenize(text);
  const index = indexOf(taxonomy);
  let i = 0;
  while (i < tokens.length) {
    const candidates = index.get(tokens[i]!.word);
    let matched: Phrase | undefined;
    if (candidates) {
      for (const phrase of candidates) {
        if (phrase.capitalisedOnly && respectCase && !tokens[i]!.capitalised) continue;
        if (phrase.tokens.every((word, k) => tokens[i + k]?.word === word)) {
          matched = phrase;
          break;
        }
      }
    }
    if (!matched) {
      i++;
      continue;
    }
    for (const target of matched.targets) {
      if (target.kind === 'country') hits.countries.set(target.code, (hits.countries.get(target.code) ?? 0) + 1);
      else if (target.kind === 'topic') hits.topics.set(target.slug, (hits.topics.get(target.slug) ?? 0) + 1);
    }
    i += matched.tokens.length;
  }
  return hits;
}

const sortCodes = (codes: Iterable<CountryCode>) => [...new Set(codes)].sort();
const sortSlugs = (slugs: Iterable<TopicSlug>) => [...new Set(slugs)].sort();

function fromCategories(taxonomy: Taxonomy, categories: string[]): { countries: Set<CountryCode>; topics: Set<TopicSlug> } {
  const countries = new Set<CountryCode>();
  const topics = new Set<TopicSlug>();
  for (const category of categories) {
    const folded = fold(category).toLowerCase().trim();
    if (!folded) continue;
    if (taxonomy.isCountryCode(folded)) countries.add(folded);
    const slug = folded.replace(/\s+/g, '-');
    if (taxonomy.isTopicSlug(slug)) topics.add(slug);
    for (const topic of taxonomy.topics) {
      const names = [topic.names.en, topic.names.es].map((n) => words(n).join(' '));
      const categoryWords = ` ${words(category).join(' ')} `;
      if (names.some((n) => categoryWords.includes(` ${n} `))) topics.add(topic.slug);
    }
    const hits = scan(taxonomy, category, false);
    for (const code of hits.countries.keys()) countries.add(code);
    for (const slug of hits.topics.keys()) topics.add(slug);
  }
  return { countries, topics };
}

function validCountries(taxonomy: Taxonomy, values: string[] | undefined): CountryCode[] {
  return sortCodes((values ?? []).map((v) => v.trim().toLowerCase()).filter(taxonomy.isCountryCode));
}

function validTopics(taxonomy: Taxonomy, values: string[] | undefined): TopicSlug[] {
  return sortSlugs((values ?? []).map((v) => v.trim().toLowerCase()).filter(taxonomy.isTopicSlug));
}

/** Topic scores from title and text: TITLE_WEIGHT per title mention, one per text mention. */
export function topicScores(title: string, text: string, taxonomy: Taxonomy = currentTaxonomy()): Map<TopicSlug, { score: number; title: number; text: number }> {
  const inTitle = scan(taxonomy, title, true).topics;
  const inText = scan(taxonomy, text, true).topics;
  const scores = new Map<TopicSlug, { score: number; title: number; text: number }>();
  for (const topic of taxonomy.topics) {
    const t = inTitle.get(topic.slug) ?? 0;
    const b = inText.get(topic.slug) ?? 0;
    if (t + b > 0) scores.set(topic.slug, { score: TITLE_WEIGHT * t + b, title: t, text: b });
  }
  return scores;
}

function ruleTopics(taxonomy: Taxonomy, title: string, text: string): { strong: TopicSlug[]; cooperationMentioned: boolean } {
  const scores = topicScores(title, text, taxonomy);
  const topicOrder = new Map(taxonomy.topics.map((t, i) => [t.slug, i]));
  const best = Math.max(0, ...[...scores.values()].map((s) => s.score));
  const strong = [...scores.entries()]
    .filter(([, s]) => s.title > 0 || (s.score >= TOPIC_THRESHOLD && s.score >= best * RELATIVE_THRESHOLD))
    .sort(([a, x], [b, y]) => y.score - x.score || topicOrder.get(a)! - topicOrder.get(b)!)
    .slice(0, MAX_TOPICS)
    .map(([slug]) => slug);
  return { strong: sortSlugs(strong), cooperationMentioned: scores.has('international-cooperation') };
}

/** Classifies an item by member country and topic under a taxonomy (by default the one in force). Pure and
 *  deterministic. */
export function classify(input: ClassifyInput, taxonomy: Taxonomy = currentTaxonomy()): Classification {
  const categories = fromCategories(taxonomy, input.categories ?? []);
  const countryCodes = taxonomy.countryCodes;

  let countries: CountryCode[];
  let countriesFrom: Classification['provenance']['countries'];
  const textCountries = () => {
    const title = scan(taxonomy, input.title, true).countries;
    const body = scan(taxonomy, input.text, true).countries;
    return sortCodes([...title.keys(), ...body.keys()]);
  };
  const defaultCountries = validCountries(taxonomy, input.defaultCountries);
  if (categories.countries.size > 0) {
    countries = sortCodes(categories.countries);
    countriesFrom = 'source';
  } else if ((countries = textCountries()).length > 0) {
    countriesFrom = 'rule';
  } else if (defaultCountries.length > 0) {
    countries = defaultCountries;
    countriesFrom = 'default';
  } else {
    countries = [...countryCodes]; // none named: the item is about the bloc as a whole
    countriesFrom = 'rule';
  }
  const blocWide = countryCodes.every((code) => countries.includes(code));
  if (blocWide) countries = [...countryCodes].sort();

  let topics: TopicSlug[];
  let topicsFrom: Classification['provenance']['topics'];
  const defaultTopics = validTopics(taxonomy, input.defaultTopics);
  const rules = categories.topics.size > 0 ? undefined : ruleTopics(taxonomy, input.title, input.text);
  if (!rules) {
    topics = sortSlugs(categories.topics);
    topicsFrom = 'source';
  } else if (rules.strong.length > 0) {
    topics = rules.strong;
    topicsFrom = 'rule';
  } else if (defaultTopics.length > 0) {
    topics = defaultTopics;
    topicsFrom = 'default';
  } else {
    topics = rules.cooperationMentioned && taxonomy.isTopicSlug('international-cooperation') ? ['international-cooperation'] : [];
    topicsFrom = 'rule';
  }

  return { countries, topics, blocWide, provenance: { countries: countriesFrom, topics: topicsFrom } };
}
