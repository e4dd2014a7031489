// Analytics: counting clicks, opens, sends and leaves into per-edition aggregates, and reading them back as the stats
// an editor sees. "Unique" is decided by a salted hash of the message's reader nonce (see click-token.ts); the salt is
// per edition and expires with its counting window, so after it nothing can tell two clicks apart any more.
import { createHash } from 'node:crypto';
import { notFound } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import { languages } from '../shared/language.js';
import type { EditionRepository } from '../editions/ports.js';
import type { ItemReader } from '../items/ports.js';
import type { Subscriber } from '../subscriptions/model.js';
import type { SubscriberChange } from '../subscriptions/service.js';
import { archiveRef, type Segment } from './click-token.js';
import { add, allBucket, clickIncrements, counter, countingWindowMs, family, sentIncrements } from './counters.js';
import type { AnalyticsStore, ClickEvent, Increments } from './ports.js';
import { segmentOf } from './tracked-links.js';

export interface AnalyticsDeps {
  store: AnalyticsStore;
  editions: Pick<EditionRepository, 'get' | 'counts' | 'feedback'>;
  items: Pick<ItemReader, 'getMany'>;
  clock: Clock;
}

export interface EditionStats {
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  clicks: { total: number; unique: number; filtered: number };
  opens: { total: number; unique: number } | null;
  items: Array<{ itemId: string; title: string; clicks: number; unique: number }>;
  byLanguage: Array<{ language: string; sent: number; clicks: number }>;
  byCountry: Array<{ code: string; sent: number; clicks: number }>;
  byTopic: Array<{ slug: string; sent: number; clicks: number }>;
}

/** What the console draws beside the contract's numbers. */
export interface EditionCharts {
  sendStartedAt?: string;
  /** Clicks per hour after the send, from hour 0 to the last hour with a click. */
  hourly: number[];
  /** Unique clickers over recipients per country × topic cell (cells with recipients only). */
  cells: Array<{ code: string; slug: string; sent: number; unique: number }>;
}

export interface SeriesPoint {
  at: string;
  subscribed: number;
  confirmed: number;
  unsubscribed: number;
  suppressed: number;
  /** Confirmed less leaves, from the first day counted to the end of this period. */
  total: number;
}

const hash = (salt: string, value: string) => createHash('sha256').update(`${salt}\u0000${value}`).digest('base64url').slice(0, 22);
const dayOf = (at: Date) => at.toISOString().slice(0, 10);
const n = (counters: Increments, name: string) => counters[name] ?? 0;

export function createAnalytics(deps: AnalyticsDeps) {
  const { store, clock } = deps;

  async function countClicks(events: readonly ClickEvent[]): Promise<void> {
    const byEdition = new Map<string, ClickEvent[]>();
    for (const e of events) byEdition.set(e.editionId, [...(byEdition.get(e.editionId) ?? []), e]);
    for (const [editionId, clicks] of byEdition) {
      const increments: Increments = {};
      const readers: ClickEvent[] = [];
      for (const click of clicks) {
        const sentAt = Date.parse(click.sentAt);
        if (!(Date.parse(click.at) - sentAt < countingWindowMs)) continue; // past the window: not counted at all
        if (click.machine) add(increments, counter.filtered);
        else readers.push(click);
      }
      if (readers.length) {
        const expiresAt = new Date(Math.max(...readers.map((r) => Date.parse(r.sentAt))) + countingWindowMs);
        const salt = await store.salt(editionId, expiresAt);
        const hashes = readers.flatMap((r) => [hash(salt, r.readerNonce), hash(salt, `${r.readerNonce}\u0000${r.itemRef}`)]);
        const first = await store.firstSeen(editionId, hashes, expiresAt);
        readers.forEach((r, i) => {
          const segment = { language: r.language, countries: r.countries, topics: r.topics } as Segment;
          const hour = Math.max(0, Math.floor((Date.parse(r.at) - Date.parse(r.sentAt)) / 3600_000));
          clickIncrements(increments, { itemRef: r.itemRef, segment, hour, firstForEdition: first[2 * i]!, firstForItem: first[2 * i + 1]! });
        });
      }
      if (Object.keys(increments).length) await store.add(editionId, increments);
    }
  }

  /** SES events of the configuration set: deliveries and opens (unique by message, hashed with the edition's salt). */
  async function countMailEvents(events: ReadonlyArray<{ type: string; tags: Record<string, string>; messageId?: string; at?: string }>): Promise<void> {
    const byEdition = new Map<string, Increments>();
    const opens = new Map<string, string[]>();
    for (const e of events) {
      const editionId = e.tags.edition;
      if (!editionId) continue;
      const increments = byEdition.get(editionId) ?? {};
      byEdition.set(editionId, increments);
      if (e.type === 'Delivery') add(increments, counter.delivered);
      if (e.type === 'Open') {
        add(increments, counter.opens);
        if (e.messageId) opens.set(editionId, [...(opens.get(editionId) ?? []), e.messageId]);
      }
    }
    for (const [editionId, increments] of byEdition) {
      const messages = opens.get(editionId) ?? [];
      if (messages.length) {
        const expiresAt = new Date(clock.now().getTime() + countingWindowMs);
        const salt = await store.salt(editionId, expiresAt);
        const first = await store.firstSeen(editionId, messages.map((m) => hash(salt, `open\u0000${m}`)), expiresAt);
        add(increments, counter.uniqueOpens, first.filter(Boolean).length);
      }
      if (Object.keys(increments).length) await store.add(editionId, increments);
    }
  }

  return {
    countClicks,
    countMailEvents,
    /** The edition's raw counters (summed over shards). */
    counters: (editionId: string) => store.counters(editionId),

    /** Recipients a chunk has just sent to, by segment (the denominators of click rates). */
    async recordSent(editionId: string, subscribers: ReadonlyArray<Pick<Subscriber, 'language' | 'countries' | 'topics'>>): Promise<void> {
      if (subscribers.length === 0) return;
      const increments: Increments = {};
      for (const s of subscribers) sentIncrements(increments, segmentOf(s));
      await store.add(editionId, increments);
    },

    /** A leave (one-click or preference centre) that came from one of the edition's links. */
    recordLeave: (editionId: string) => store.add(editionId, { [counter.unsubscribed]: 1 }),

    subscriberChanged: (change: SubscriberChange, at: Date) => store.addDay(dayOf(at), { [change]: 1 }),

    async editionStats(editionId: string): Promise<EditionStats & { charts: EditionCharts }> {
      const edition = await deps.editions.get(editionId);
      if (!edition) throw notFound('edition.notFound', 'No edition has this id; list them with GET /api/editions.');
      const [counters, counts, feedback] = await Promise.all([store.counters(editionId), deps.editions.counts(editionId), deps.editions.feedback(editionId)]);
      const itemIds = edition.resolvedItemIds ?? (edition.selection.kind === 'items' ? edition.selection.itemIds : []);
      const known = new Map((await deps.items.getMany(itemIds)).map((i) => [i.id, i.title]));
      const clickedRefs = family(counters, 'i:').map(([ref]) => ref);
      const refs = [...itemIds, ...clickedRefs.filter((r) => !itemIds.includes(r) && r !== archiveRef), ...(clickedRefs.includes(archiveRef) ? [archiveRef] : [])];
      const sentOf = (prefix: string) => new Map(family(counters, prefix));
      const clicksOf = (prefix: string) => new Map(family(counters, prefix));
      const rows = <K extends string>(key: K, sentPrefix: string, clickPrefix: string, order: readonly string[]) => {
        const sent = sentOf(sentPrefix);
        const clicks = clicksOf(clickPrefix);
        const names = [...new Set([...order.filter((o) => sent.has(o) || clicks.has(o)), ...sent.keys(), ...clicks.keys()])];
        return names.map((name) => ({ [key]: name, sent: sent.get(name) ?? 0, clicks: clicks.get(name) ?? 0 }) as Record<K, string> & { sent: number; clicks: number });
      };
      const hours = family(counters, 'h:').map(([h, c]) => [Number(h), c] as const);
      const lastHour = hours.reduce((m, [h]) => Math.max(m, h), -1);
      const hourly = Array.from({ length: lastHour + 1 }, (_, h) => hours.find(([x]) => x === h)?.[1] ?? 0);
      const cells = family(counters, 'sct:').map(([cell, sent]) => {
        const [code, slug] = cell.split(':') as [string, string];
        return { code, slug, sent, unique: n(counters, counter.cell(code, slug)) };
      });
      const hasOpens = counter.opens in counters;
      return {
        sent: counts.sent,
        delivered: n(counters, counter.delivered),
        bounced: feedback.bounces,
        complained: feedback.complaints,
        unsubscribed: n(counters, counter.unsubscribed),
        clicks: { total: n(counters, counter.clicks), unique: n(counters, counter.unique), filtered: n(counters, counter.filtered) },
        opens: hasOpens ? { total: n(counters, counter.opens), unique: n(counters, counter.uniqueOpens) } : null,
        items: refs.map((ref) => ({ itemId: ref, title: known.get(ref) ?? (ref === archiveRef ? 'Archive (view in browser)' : ref), clicks: n(counters, counter.item(ref)), unique: n(counters, counter.itemUnique(ref)) })),
        byLanguage: rows('language', 'sl:', 'l:', languages),
        byCountry: rows('code', 'sc:', 'c:', [allBucket]),
        byTopic: rows('slug', 'st:', 't:', [allBucket]),
        charts: { ...(edition.sendStartedAt ? { sendStartedAt: edition.sendStartedAt } : {}), hourly, cells },
      };
    },

    /** Subscriber changes per day or week (weeks start on Monday, UTC) between two dates. */
    async subscriberSeries(from: Date, to: Date, interval: 'day' | 'week'): Promise<SeriesPoint[]> {
      const all = await store.days('0000-01-01', dayOf(to));
      let total = 0;
      const points = new Map<string, SeriesPoint>();
      for (const { day, counters } of all) {
        total += n(counters, 'confirmed') - n(counters, 'unsubscribed') - n(counters, 'suppressed');
        if (day < dayOf(from)) continue;
        const at = interval === 'day' ? day : weekStart(day);
        const point = points.get(at) ?? { at, subscribed: 0, confirmed: 0, unsubscribed: 0, suppressed: 0, total: 0 };
        point.subscribed += n(counters, 'subscribed');
        point.confirmed += n(counters, 'confirmed');
        point.unsubscribed += n(counters, 'unsubscribed');
        point.suppressed += n(counters, 'suppressed');
        point.total = total;
        points.set(at, point);
      }
      return [...points.values()];
    },
  };
}

export type Analytics = ReturnType<typeof createAnalytics>;

function weekStart(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return dayOf(date);
}

const csvCell = (value: string | number) => {
  const text = String(value);
  // A cell a spreadsheet would run as a formula is prefixed with an apostrophe.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The stats as one CSV table: section, key, label, then the numbers. */
export function statsCsv(stats: EditionStats): string {
  const lines: Array<Array<string | number>> = [['section', 'key', 'label', 'sent', 'clicks', 'unique']];
  lines.push(['edition', 'sent', '', stats.sent, '', ''], ['edition', 'delivered', '', stats.delivered, '', ''], ['edition', 'bounced', '', stats.bounced, '', '']);
  lines.push(['edition', 'complained', '', stats.complained, '', ''], ['edition', 'unsubscribed', '', stats.unsubscribed, '', '']);
  lines.push(['edition', 'clicks', '', '', stats.clicks.total, stats.clicks.unique], ['edition', 'filtered', '', '', stats.clicks.filtered, '']);
  if (stats.opens) lines.push(['edition', 'opens (overstated by mail privacy features)', '', '', stats.opens.total, stats.opens.unique]);
  for (const i of stats.items) lines.push(['item', i.itemId, i.title, '', i.clicks, i.unique]);
  for (const l of stats.byLanguage) lines.push(['language', l.language, '', l.sent, l.clicks, '']);
  for (const c of stats.byCountry) lines.push(['country', c.code, '', c.sent, c.clicks, '']);
  for (const t of stats.byTopic) lines.push(['topic', t.slug, '', t.sent, t.clicks, '']);
  return lines.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

