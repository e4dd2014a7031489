// What the editor API does with editions: create, change, preview, test-send, pre-flight, send now or at a time,
// pause, resume, cancel, watch. Pure: the store, items, renderer, mailer, background work and clock are ports.
import { conflict, DomainError, invalid, notFound } from '../shared/errors.js';
import type { Edition, EditionInput } from './model.js';
import { countsOf, editEdition, editionView, newEdition, nextState, resolveItems, subjectFor, transitionOf } from './model.js';
import type { Item } from '../items/model.js';
import type { EmailRenderer, PreflightIssue } from './newsletter.js';
import { escapeHtml } from '../shared/text.js';
import { archiveUrl, buildMessage, compileContentGroup, emptySegments, itemsFor, merge, preflightGroup, prepareGroup } from './newsletter.js';
import type { Clock, Mailer } from '../shared/ports.js';
import type { ItemReader } from '../items/ports.js';
import { languages, type Language } from '../shared/language.js';
import type { CountryCode, TopicSlug } from '../taxonomy/taxonomy.js';
import type { ChunkMessage, EditionRepository, SendProgress } from './ports.js';
import { resumeEdition } from './sender.js';
import { requeueChunks } from './sweep.js';

export interface EditionServiceDeps {
  editions: EditionRepository;
  progress: SendProgress;
  items: ItemReader;
  renderer: EmailRenderer;
  mailer: Mailer;
  clock: Clock;
  newId: () => string;
  publicBaseUrl: string;
  from: string;
  configurationSet?: string;
  /** Hands the plan to the planner (an async Lambda invoke or a one-off schedule in AWS). */
  schedulePlan: (at: Date, payload: { editionId: string; scheduledAt?: string }) => Promise<void>;
  /** Re-enqueues chunks on the send queue (resume). */
  enqueue: (messages: ChunkMessage[]) => Promise<void>;
  /** Links for a test send (no real subscriber behind them). */
  testLinks: (now: Date) => { preferencesUrl: string; unsubscribeUrl: string; headers: Array<{ name: string; value: string }> };
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
    if (edition.resolvedItemIds) {
      const found = await deps.items.getMany(edition.resolvedItemIds);
      const byId = new Map(found.map((i) => [i.id, i]));
      return edition.resolvedItemIds.map((id) => byId.get(id)).filter((i): i is Item => i !== undefined);
    }
    const last = edition.selection.kind === 'sinceLastEdition' ? await deps.editions.lastStarted(edition.kind, edition.frequency, edition.id) : undefined;
    return resolveItems(edition.selection, deps.items, last?.sendStartedAt);
  }

  async function compileFor(edition: Edition, items: Item[], language: Language) {
    return compileContentGroup(deps.renderer, { language, subject: subjectFor(edition, language), intro: edition.intro, items, archiveUrl: archiveUrl(deps.publicBaseUrl, edition.id) });
  }

  async function segmentItems(edition: Edition, segment: Segment) {
    const items = await itemsOf(edition);
    const ids = new Set(itemsFor({ countries: segment.countries, topics: segment.topics }, items, edition.audience));
    return items.filter((i) => ids.has(i.id));
  }

  const exampleValues = (now: Date) => {
    const links = deps.testLinks(now);
    return { unsubscribe_url: links.unsubscribeUrl, preferences_url: links.preferencesUrl };
  };

  async function preflight(id: string): Promise<{ ok: boolean; issues: PreflightIssue[]; items: number }> {
    const edition = await mustGet(id);
    const items = await itemsOf(edition);
    const issues = [...emptySegments(items, edition.audience)];
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

    /** The HTML a subscriber of this segment would get (with example personal links). */
    async preview(id: string, segment: Segment): Promise<{ html: string; items: number }> {
      const edition = await mustGet(id);
      const items = await segmentItems(edition, segment);
      const group = await compileFor(edition, items, segment.language);
      const prepared = prepareGroup(group);
      return { html: merge(prepared.html, exampleValues(now()), escapeHtml), items: items.length };
    },

    /** Sends the segment's email to the given addresses, subject marked as a test. Counts nothing. */
    async testSend(id: string, emails: string[], segment: Segment): Promise<{ sent: number; messageIds: string[] }> {
      const edition = await mustGet(id);
      const items = await segmentItems(edition, segment);
      if (items.length === 0) throw invalid('edition.emptySegment', 'No item of this edition matches that segment; choose other countries or topics.');
      const group = await compileFor(edition, items, segment.language);
      const prepared = prepareGroup({ ...group, subject: `[TEST] ${group.subject}` });
      const links = deps.testLinks(now());
      const messageIds: string[] = [];
      for (const email of emails) {
        const message = buildMessage(
          prepared,
          { subscriberId: 'test', email, values: { unsubscribe_url: links.unsubscribeUrl, preferences_url: links.preferencesUrl }, headers: links.headers },
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
      const action = at && at.getTime() > now().getTime() ? 'schedule' : 'start';
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
      await requeueChunks(deps, id, open, deadLetters);
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

    /** The web version of an edition for the public archive: every item of the edition in one language,
     *  personal links replaced by the general subscribe and preference pages. Only sent editions are public. */
    async webVersion(id: string, language: Language, links: { preferencesUrl: string; unsubscribeUrl: string }): Promise<{ edition: Edition; html: string; items: Item[] }> {
      const edition = await mustGet(id);
      if (edition.state !== 'sent' && edition.state !== 'sending') throw notFound('edition.notFound', `No published edition with id ${id}.`);
      const all = await itemsOf(edition);
      const ids = new Set(itemsFor({ countries: [], topics: [] }, all, edition.audience));
      const items = all.filter((i) => ids.has(i.id));
      const group = await compileFor(edition, items, language);
      return { edition, items, html: merge(prepareGroup(group).html, { preferences_url: links.preferencesUrl, unsubscribe_url: links.unsubscribeUrl }, escapeHtml) };
    },
  };
}

export type EditionService = ReturnType<typeof createEditionService>;
