// What the editor API does with editions: create, change, preview, test-send, pre-flight, send now or at a time,
// pause, resume, cancel, watch. Pure: the store, items, renderer, mailer, background work and clock are ports.
import { conflict, DomainError, invalid, notFound } from '../shared/errors.js';
import type { Edition, EditionInput } from './model.js';
import { countsOf, editEdition, editionView, newEdition, nextState, resolveItems, textFor, transitionOf, untranslated } from './model.js';
import type { Item } from '../items/model.js';
import type { Brand, EmailRenderer, MergeValues, PreflightIssue } from './newsletter.js';
import { escapeHtml } from '../shared/text.js';
import { archiveUrl, buildMessage, compileContentGroup, emptySegments, itemsFor, merge, preflightGroup, prepareGroup } from './newsletter.js';
import type { Clock, Mailer } from '../shared/ports.js';
import type { ItemReader } from '../items/ports.js';
import { languages, type Language } from '../shared/language.js';
import type { CountryCode, TopicSlug } from '../taxonomy/taxonomy.js';
import type { ChunkMessage, EditionRepository, SendProgress, SubscriberSource } from './ports.js';
import { resumeEdition } from './sender.js';
import { countAudience, type AudienceCount } from './planner.js';
import { requeueChunks } from './sweep.js';

export interface EditionServiceDeps {
  editions: EditionRepository;
  progress: SendProgress;
  /** Confirmed subscribers, counted for the audience with the planner's own rule. */
  subscribers: SubscriberSource;
  items: ItemReader;
  renderer: EmailRenderer;
  mailer: Mailer;
  clock: Clock;
  newId: () => string;
  publicBaseUrl: string;
  brand: Brand;
  from: string;
  configurationSet?: string;
  /** Hands the plan to the planner (an async Lambda invoke or a one-off schedule in AWS). */
  schedulePlan: (at: Date, payload: { editionId: string; scheduledAt?: string }) => Promise<void>;
  /** Re-enqueues chunks on the send queue (resume). */
  enqueue: (messages: ChunkMessage[]) => Promise<void>;
  /** The pre-flight warns about items published longer ago than this (default 7 days). */
  staleItemDays?: number;
  /** Links for a test send or preview (no real subscriber behind them), in the segment's language. */
  testLinks: (now: Date, language: Language) => { preferencesUrl: string; unsubscribeUrl: string; headers: Array<{ name: string; value: string }> };
}

export interface Segment {
  countries: CountryCode[];
  topics: TopicSlug[];
  language: Language;
}

export function createEditionService(deps: EditionServiceDeps) {
  const now = () => deps.clock.now();

  async function mustGet(id: string): Promise<Edition> {
    const edition = await deps.editions.get(id);
    if (!edition) throw notFound('edition.notFound', `No edition with id ${id}.`);
    return edition;
  }

  /** The edition's items: frozen ones once sending started, otherwise what a send would pick right now. */
  async function itemsOf(edition: Edition): Promise<Item[]> {
    return (await contentsOf(edition)).items;
  }

  /** The items, and for "new since the last edition" when that last edition started (none: the first edition). */
  async function contentsOf(edition: Edition): Promise<{ items: Item[]; lastEditionAt?: string }> {
    if (edition.resolvedItemIds) {
      const found = await deps.items.getMany(edition.resolvedItemIds);
      const byId = new Map(found.map((i) => [i.id, i]));
      return { items: edition.resolvedItemIds.map((id) => byId.get(id)).filter((i): i is Item => i !== undefined) };
    }
    const last = edition.selection.kind === 'sinceLastEdition' ? await deps.editions.lastStarted(edition.kind, edition.frequency, edition.id) : undefined;
    const items = await resolveItems(edition.selection, deps.items, last?.sendStartedAt);
    return { items, ...(last?.sendStartedAt ? { lastEditionAt: last.sendStartedAt } : {}) };
  }

  async function compileFor(edition: Edition, items: Item[], language: Language) {
    return compileContentGroup(deps.renderer, { language, ...textFor(edition, language), items, brand: deps.brand, archiveUrl: archiveUrl(deps.publicBaseUrl, edition.id) });
  }

  async function segmentItems(edition: Edition, segment: Segment) {
    const items = await itemsOf(edition);
    const ids = new Set(itemsFor({ countries: segment.countries, topics: segment.topics }, items, edition.audience));
    return items.filter((i) => ids.has(i.id));
  }

  /** Links for an email no subscriber is behind (preview, test send): "view in your browser" is the whole edition. */
  const exampleValues = (edition: Edition, links: ReturnType<EditionServiceDeps['testLinks']>): MergeValues => ({
    unsubscribe_url: links.unsubscribeUrl,
    preferences_url: links.preferencesUrl,
    view_url: archiveUrl(deps.publicBaseUrl, edition.id),
  });

  async function preflight(id: string): Promise<{ ok: boolean; issues: PreflightIssue[]; items: number }> {
    const edition = await mustGet(id);
    const items = await itemsOf(edition);
    // Old items an editor picked by hand were picked knowingly (the picker shows their dates); a selection by time
    // ("since", "new since the last edition") can pull in a back catalogue unseen.
    const byTime = edition.selection.kind !== 'items';
    const issues = [...emptySegments(items, edition.audience), ...(byTime ? staleItems(items, now(), deps.staleItemDays ?? 7) : [])];
    if (items.length > 0) issues.push(...audienceIssues(edition, await countAudience(deps, edition, items)));
    if (items.length > 0) {
      // The largest email of each language (every item the audience can get) bounds every smaller group's size.
      const audienceItems = items.filter((i) => itemsFor({ countries: [], topics: [] }, [i], edition.audience).length > 0);
      for (const language of edition.audience?.languages?.length ? edition.audience.languages : languages) {
        if (audienceItems.length === 0) continue;
        issues.push(...preflightGroup(await compileFor(edition, audienceItems, language)));
      }
    }
    return { ok: !issues.some((i) => i.level === 'error'), issues, items: items.length };
  }

  /** Counts, and the chunks the queue dead-lettered (only a send under way can have any that matter). */
  const statusOf = async (edition: Edition) => {
    const deadLetters = edition.state === 'sending' || edition.state === 'paused' ? await deps.progress.listDeadLetters(edition.id) : [];
    const deadLettered = { chunks: deadLetters.length, recipients: deadLetters.reduce((n, m) => n + m.recipients.length, 0) };
    return editionView({ edition, counts: countsOf(edition.state, await deps.editions.counts(edition.id)), deadLettered }, now());
  };

  return {
    async create(input: EditionInput): Promise<Edition> {
      const edition = newEdition(input, { id: deps.newId(), now: now() });
      if ((await deps.editions.create(edition)) === 'exists') throw conflict('edition.exists', `An edition with id ${edition.id} already exists; try again.`);
      return edition;
    },

    async update(id: string, input: EditionInput): Promise<Edition> {
      const edition = await mustGet(id);
      return deps.editions.save(editEdition(edition, input, now()), edition.version);
    },

    async status(id: string) {
      return statusOf(await mustGet(id));
    },

    async list(limit = 20) {
      return Promise.all((await deps.editions.list(limit)).map(statusOf));
    },

    preflight,

    /** The items a send would carry right now (frozen ones once it started), and what "since the last edition" means. */
    async contents(id: string) {
      return contentsOf(await mustGet(id));
    },

    /** Who a send would reach right now: the numbers the planner will use. */
    async audience(id: string): Promise<AudienceCount> {
      const edition = await mustGet(id);
      return countAudience(deps, edition, await itemsOf(edition));
    },

    /** The HTML a subscriber of this segment would get (with example personal links). */
    async preview(id: string, segment: Segment): Promise<{ html: string; items: number }> {
      const edition = await mustGet(id);
      const items = await segmentItems(edition, segment);
      const group = await compileFor(edition, items, segment.language);
      const prepared = prepareGroup(group);
      return { html: merge(prepared.html, exampleValues(edition, deps.testLinks(now(), segment.language)), escapeHtml), items: items.length };
    },

    /** Sends the segment's email to the given addresses, subject marked as a test. Counts nothing. */
    async testSend(id: string, emails: string[], segment: Segment): Promise<{ sent: number; messageIds: string[] }> {
      const edition = await mustGet(id);
      const items = await segmentItems(edition, segment);
      if (items.length === 0) throw invalid('edition.emptySegment', 'No item of this edition matches that segment; choose other countries or topics.');
      const group = await compileFor(edition, items, segment.language);
      const prepared = prepareGroup({ ...group, subject: `[TEST] ${group.subject}` });
      // One set of links for every address: they belong to no subscriber.
      const links = deps.testLinks(now(), segment.language);
      const values = exampleValues(edition, links);
      const messageIds: string[] = [];
      for (const email of emails) {
        const message = buildMessage(
          prepared,
          { subscriberId: 'test', email, values, headers: links.headers },
          { from: deps.from, editionId: `${edition.id}-test`, configurationSet: deps.configurationSet },
        );
        messageIds.push((await deps.mailer.send(message)).messageId);
      }
      return { sent: messageIds.length, messageIds };
    },

    /** Send now, or at a time. Refused while the pre-flight reports an error. */
    async send(id: string, at?: Date): Promise<Edition> {
      const edition = await mustGet(id);
      const when = at ?? now();
      if (at && at.getTime() <= now().getTime()) {
        throw invalid('edition.scheduleInPast', `The time ${at.toISOString()} has passed; choose a later time, or send now.`);
      }
      const action = at ? 'schedule' : 'start';
      nextState(edition.state, action);
      const check = await preflight(id);
      if (!check.ok) {
        throw new DomainError('invalid', 'edition.preflightFailed', `The pre-flight found problems: ${check.issues.filter((i) => i.level === 'error').map((i) => i.message).join(' ')}`, {
          details: check.issues,
        });
      }
      const patch = action === 'schedule' ? { scheduledAt: when.toISOString() } : { sendStartedAt: now().toISOString() };
      const moved = await deps.editions.transition(id, transitionOf(action).from, transitionOf(action).to, { ...patch, updatedAt: now().toISOString() });
      if (!moved) throw new DomainError('conflict', 'edition.changed', 'The edition changed meanwhile; reload it and try again.');
      try {
        await deps.schedulePlan(when, { editionId: id, ...(action === 'schedule' ? { scheduledAt: when.toISOString() } : {}) });
      } catch (error) {
        await deps.editions.transition(id, [moved.state], edition.state, { scheduledAt: edition.scheduledAt, sendStartedAt: edition.sendStartedAt });
        throw new DomainError('unavailable', 'edition.scheduleFailed', 'The send could not be handed to the planner; try again in a moment.', { cause: error });
      }
      return moved;
    },

    async pause(id: string): Promise<Edition> {
      const edition = await mustGet(id);
      nextState(edition.state, 'pause');
      const moved = await deps.editions.transition(id, ['sending'], 'paused', { updatedAt: now().toISOString() });
      if (!moved) throw new DomainError('conflict', 'edition.changed', 'The edition changed meanwhile; reload it and try again.');
      return moved;
    },

    async resume(id: string): Promise<{ edition: Edition; requeued: number }> {
      const edition = await mustGet(id);
      nextState(edition.state, 'resume');
      const moved = await deps.editions.transition(id, ['paused'], 'sending', { pausedReason: undefined, updatedAt: now().toISOString() });
      if (!moved) throw new DomainError('conflict', 'edition.changed', 'The edition changed meanwhile; reload it and try again.');
      const requeued = await resumeEdition(deps, id);
      await deps.progress.tryComplete(id, now());
      return { edition: moved, requeued };
    },

    /** Moves a stopped send on now, without waiting for the recovery sweep (a dead-lettered or lost chunk, a planner
     *  that died): an unfinished plan goes back to the planner, which resumes from its cursors; otherwise every
     *  unfinished chunk is enqueued again. Safe at any time: a recipient already claimed is never mailed again. */
    async redrive(id: string): Promise<{ replanned: boolean; requeued: number }> {
      const edition = await mustGet(id);
      if (edition.state !== 'sending') throw new DomainError('conflict', 'edition.notSending', `Only a sending edition can be redriven; this one is ${edition.state}.`);
      if (!(await deps.progress.planProgress(id)).complete) {
        await deps.schedulePlan(now(), { editionId: id });
        return { replanned: true, requeued: 0 };
      }
      const deadLetters = await deps.progress.listDeadLetters(id);
      const open = await deps.progress.listOpenChunks(id);
      await requeueChunks(deps, id, open, deadLetters, now());
      const parked = await resumeEdition(deps, id);
      await deps.progress.tryComplete(id, now());
      return { replanned: false, requeued: open.length + parked };
    },

    async cancel(id: string): Promise<Edition> {
      const edition = await mustGet(id);
      nextState(edition.state, 'cancel');
      const moved = await deps.editions.transition(id, transitionOf('cancel').from, 'cancelled', { updatedAt: now().toISOString() });
      if (!moved) throw new DomainError('conflict', 'edition.changed', 'The edition changed meanwhile; reload it and try again.');
      for (const parked of await deps.progress.listParked(id)) await deps.progress.unpark(id, parked.chunkId);
      return moved;
    },

    /** The web version of an edition for the public archive: every item of the edition in one language or, for a
     *  subscriber's "view in your browser" link, the items their choices get. Personal links are replaced by the
     *  general subscribe and preference pages. Only sent editions are public. */
    async webVersion(
      id: string,
      language: Language,
      links: { preferencesUrl: string; unsubscribeUrl: string },
      viewer: Pick<Segment, 'countries' | 'topics'> = { countries: [], topics: [] },
    ): Promise<{ edition: Edition; html: string; items: Item[] }> {
      const edition = await mustGet(id);
      if (edition.state !== 'sent' && edition.state !== 'sending') throw notFound('edition.notFound', `No published edition with id ${id}.`);
      // An edition that reached nobody was never published.
      if (edition.reachedNobody) throw notFound('edition.notFound', `No published edition with id ${id}.`);
      const all = await itemsOf(edition);
      const ids = new Set(itemsFor(viewer, all, edition.audience));
      const items = all.filter((i) => ids.has(i.id));
      const group = await compileFor(edition, items, language);
      const values = { preferences_url: links.preferencesUrl, unsubscribe_url: links.unsubscribeUrl, view_url: archiveUrl(deps.publicBaseUrl, edition.id) };
      return { edition, items, html: merge(prepareGroup(group).html, values, escapeHtml) };
    },
  };
}

/** Items published longer ago than `days` before `now`: an edition of old news is usually a mistake. */
export function staleItems(items: readonly Pick<Item, 'publishedAt' | 'title'>[], now: Date, days: number): PreflightIssue[] {
  const before = new Date(now.getTime() - days * 86_400_000).toISOString();
  const old = items.filter((i) => i.publishedAt < before);
  if (old.length === 0) return [];
  return [{ level: 'warning', code: 'preflight.staleItems', message: `${old.length} item(s) were published more than ${days} days ago (the oldest: "${old.reduce((a, b) => (a.publishedAt < b.publishedAt ? a : b)).title}").`, params: { count: old.length, days } }];
}

/** An audience that reaches nobody, and (in an edition with translations) languages with recipients that would get
 *  the fallback text. */
export function audienceIssues(edition: Edition, audience: AudienceCount): PreflightIssue[] {
  if (audience.recipients === 0) {
    return [{ level: 'warning', code: 'preflight.noRecipients', message: 'Nobody would receive this edition: no confirmed subscriber in its audience gets any of its items.' }];
  }
  // An edition without translations is one text for everyone, written so; once it has one, a language left out is
  // most likely an oversight.
  if (!edition.translations || Object.keys(edition.translations).length === 0) return [];
  return untranslated(edition, languages.filter((l) => audience.byLanguage[l] > 0)).map((language) => ({
    level: 'warning' as const,
    code: 'preflight.untranslated',
    message: `${audience.byLanguage[language]} subscriber(s) reading ${language === 'es' ? 'Spanish' : 'English'} would get the default subject and intro: add the ${language} text.`,
    params: { language, count: audience.byLanguage[language] },
  }));
}

export type EditionService = ReturnType<typeof createEditionService>;
