// Editions (campaigns): the model, its state machine, and how its items are chosen. Pure: stores, readers and the clock
// are ports. The send pipeline (planner, sender) lives beside it.
import { DomainError, conflict, invalid } from '../shared/errors.js';
import { hasLineBreak } from '../shared/input.js';
import type { Item } from '../items/model.js';
import type { Audience } from './newsletter.js';
import type { ItemReader } from '../items/ports.js';
import type { Language } from '../shared/language.js';
import type { Frequency } from '../subscriptions/model.js';

/** An edition's text in one language. */
export interface EditionText {
  subject: string;
  intro?: string;
}

/** The subject and intro a subscriber of `language` gets: the language's translation, or the top-level text for a
 *  language without one. (A translation without an intro has none: it does not borrow another language's.) */
export function textFor(edition: Pick<Edition, 'subject' | 'intro' | 'translations'>, language: Language): EditionText {
  const own = edition.translations?.[language];
  return own ? { subject: own.subject, ...(own.intro ? { intro: own.intro } : {}) } : { subject: edition.subject, ...(edition.intro ? { intro: edition.intro } : {}) };
}

/** Languages whose subscribers would get the top-level (fallback) text. */
export const untranslated = (edition: Pick<Edition, 'translations'>, among: readonly Language[]) => among.filter((l) => !edition.translations?.[l]);

export type EditionState = 'draft' | 'scheduled' | 'sending' | 'paused' | 'sent' | 'cancelled';
export const editionStates: readonly EditionState[] = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled'];

/** How the items are chosen: named by the editor, everything published since a time, or everything new since the
 *  last edition (resolved when the send starts, then frozen). */
export type ItemSelection = { kind: 'items'; itemIds: string[] } | { kind: 'since'; since: string } | { kind: 'sinceLastEdition' };

export interface EditionCounts {
  /** Recipients enqueued for sending (in the audience, with at least one matching item). */
  planned: number;
  sent: number;
  /** In the audience but no item matched their preferences: never sent an empty email. */
  skipped: number;
  /** Left, unsubscribed or suppressed between planning and sending (re-checked at send time). */
  suppressed: number;
  /** SES refused the message for good. */
  failed: number;
  /** Claimed and not settled: being sent right now, or SES may have accepted and its records will tell. */
  inDoubt: number;
  /** Planned and never sent because the edition was cancelled. */
  cancelled: number;
  /** Planned and not yet claimed (waiting in the queue, parked, or released for a retry). */
  queued: number;
}

/** What the stores record; `cancelled` and `queued` are what is left of the plan (see countsOf). */
export type RecordedCounts = Omit<EditionCounts, 'cancelled' | 'queued'>;

export const zeroCounts = (): EditionCounts => ({ planned: 0, sent: 0, skipped: 0, suppressed: 0, failed: 0, inDoubt: 0, cancelled: 0, queued: 0 });

/** The counts as they add up at every moment after planning:
 *  planned = sent + skipped + suppressed + failed + cancelled + inDoubt + queued.
 *  Whoever is neither settled nor claimed is queued, or cancelled once the edition is. */
export function countsOf(state: EditionState, recorded: RecordedCounts): EditionCounts {
  const { planned, sent, skipped, suppressed, failed, inDoubt } = recorded;
  const rest = Math.max(0, planned - sent - skipped - suppressed - failed - inDoubt);
  return { planned, sent, skipped, suppressed, failed, inDoubt, cancelled: state === 'cancelled' ? rest : 0, queued: state === 'cancelled' ? 0 : rest };
}

export interface Edition {
  id: string;
  /** 'edition' goes to instant subscribers; 'digest' is the automatic daily or weekly digest. */
  kind: 'edition' | 'digest';
  /** Which subscribers (by their chosen frequency) this edition is for. */
  frequency: Frequency;
  /** The text for any language without a translation. */
  subject: string;
  intro?: string;
  /** Per-language subject and intro (see textFor). */
  translations?: Partial<Record<Language, EditionText>>;
  selection: ItemSelection;
  audience?: Audience;
  state: EditionState;
  createdAt: string;
  updatedAt: string;
  scheduledAt?: string;
  sendStartedAt?: string;
  completedAt?: string;
  /** Why a send was paused automatically (bounce or complaint rate). */
  pausedReason?: string;
  /** Planned for nobody (no recipient in its audience): never published in the archive. */
  reachedNobody?: boolean;
  /** Items frozen when the send starts; what every subscriber's email is built from. */
  resolvedItemIds?: string[];
  version: number;
}

export interface EditionInput {
  subject: string;
  intro?: string;
  translations?: Partial<Record<Language, EditionText>>;
  itemIds?: string[];
  since?: string;
  audience?: Audience;
}

export const maxItemsPerEdition = 100;

export function selectionOf(input: Pick<EditionInput, 'itemIds' | 'since'>): ItemSelection {
  if (input.itemIds && input.itemIds.length > 0) {
    if (input.itemIds.length > maxItemsPerEdition) throw invalid('edition.tooManyItems', `An edition holds at most ${maxItemsPerEdition} items.`);
    return { kind: 'items', itemIds: [...new Set(input.itemIds)] };
  }
  if (input.since) return { kind: 'since', since: new Date(input.since).toISOString() };
  return { kind: 'sinceLastEdition' };
}

/** The subject goes into an email header: one line. (The intro is Markdown in the body and keeps its lines.) */
function subjectOf(input: Pick<EditionInput, 'subject'>): string {
  const subject = input.subject.trim();
  if (hasLineBreak(subject)) throw invalid('edition.subjectLineBreak', 'The subject must be one line: remove the line break from it.');
  return subject;
}

/** Each translation's text, checked like the top-level one; a translation with an empty subject is no translation. */
function translationsOf(input: Pick<EditionInput, 'translations'>): Edition['translations'] {
  const out: Partial<Record<Language, EditionText>> = {};
  for (const [language, text] of Object.entries(input.translations ?? {}) as Array<[Language, EditionText | undefined]>) {
    if (!text?.subject?.trim()) continue;
    const intro = text.intro?.trim();
    out[language] = { subject: subjectOf(text), ...(intro ? { intro } : {}) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** What a create or a PUT sets from the editor's input. */
const textOf = (input: EditionInput) => ({ subject: subjectOf(input), intro: input.intro?.trim() || undefined, translations: translationsOf(input) });

export function newEdition(input: EditionInput, options: { id: string; now: Date; kind?: Edition['kind']; frequency?: Frequency }): Edition {
  const now = options.now.toISOString();
  return {
    id: options.id,
    kind: options.kind ?? 'edition',
    frequency: options.frequency ?? 'instant',
    ...textOf(input),
    selection: selectionOf(input),
    audience: input.audience,
    state: 'draft',
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** Applies a PUT: only a draft or a scheduled edition can change. */
export function editEdition(edition: Edition, input: EditionInput, now: Date): Edition {
  if (edition.state !== 'draft' && edition.state !== 'scheduled') {
    throw conflict('edition.notEditable', `The edition is ${edition.state}; only a draft or a scheduled edition can be changed.`);
  }
  return {
    ...edition,
    ...textOf(input),
    selection: selectionOf(input),
    audience: input.audience,
    updatedAt: now.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// State machine
// ---------------------------------------------------------------------------------------------------------------

export type EditionAction = 'schedule' | 'start' | 'pause' | 'resume' | 'cancel' | 'complete';

const transitions: Record<EditionAction, { from: EditionState[]; to: EditionState }> = {
  schedule: { from: ['draft', 'scheduled'], to: 'scheduled' },
  start: { from: ['draft', 'scheduled'], to: 'sending' },
  pause: { from: ['sending'], to: 'paused' },
  resume: { from: ['paused'], to: 'sending' },
  cancel: { from: ['draft', 'scheduled', 'sending', 'paused'], to: 'cancelled' },
  complete: { from: ['sending'], to: 'sent' },
};

export const transitionOf = (action: EditionAction) => transitions[action];

const hints: Partial<Record<EditionAction, string>> = {
  schedule: 'Only a draft or a scheduled edition can be scheduled.',
  start: 'Only a draft or a scheduled edition can be sent.',
  pause: 'Only an edition that is sending can be paused.',
  resume: 'Only a paused edition can be resumed.',
  cancel: 'A sent or cancelled edition cannot be cancelled.',
};

/** The state after `action`, or a conflict error an editor can act on. */
export function nextState(state: EditionState, action: EditionAction): EditionState {
  const t = transitions[action];
  if (!t.from.includes(state)) {
    throw new DomainError('conflict', 'edition.invalidTransition', `The edition is ${state}. ${hints[action] ?? ''}`.trim());
  }
  return t.to;
}

// ---------------------------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------------------------

/** Resolves an edition's items: named ones in the editor's order (unknown ids are an error), or everything published
 *  after a time, newest first, capped. */
export async function resolveItems(
  selection: ItemSelection,
  reader: ItemReader,
  lastEditionAt: string | undefined,
): Promise<Item[]> {
  if (selection.kind === 'items') {
    const found = await reader.getMany(selection.itemIds);
    const byId = new Map(found.map((i) => [i.id, i]));
    const missing = selection.itemIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw invalid('edition.unknownItems', `These items do not exist: ${missing.slice(0, 10).join(', ')}.`, { missing });
    return selection.itemIds.map((id) => byId.get(id)!);
  }
  const since = selection.kind === 'since' ? selection.since : lastEditionAt;
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.listScope('all', { limit: 100, cursor });
    for (const item of page.items) {
      if (since && item.publishedAt <= since) return items;
      items.push(item);
      if (items.length >= maxItemsPerEdition) return items;
    }
    cursor = page.cursor;
  } while (cursor);
  return items;
}

// ---------------------------------------------------------------------------------------------------------------
// Public view
// ---------------------------------------------------------------------------------------------------------------

export interface EditionStatus {
  edition: Edition;
  counts: EditionCounts;
  /** Chunks of the send the queue gave up on, and their recipients, until the sweep or a redrive enqueues them again. */
  deadLettered?: { chunks: number; recipients: number };
}

/** `GET /api/editions/{id}`: state, counts and the send rate (messages per second since the send started). */
export function editionView(status: EditionStatus, now: Date) {
  const { edition, counts } = status;
  const started = edition.sendStartedAt ? Date.parse(edition.sendStartedAt) : undefined;
  const until = edition.completedAt ? Date.parse(edition.completedAt) : now.getTime();
  const seconds = started === undefined ? 0 : Math.max(0.001, (until - started) / 1000);
  const rate = started === undefined ? 0 : Math.round((counts.sent / seconds) * 100) / 100;
  const done = counts.sent + counts.suppressed + counts.failed;
  return {
    id: edition.id,
    kind: edition.kind,
    subject: edition.subject,
    intro: edition.intro ?? null,
    translations: edition.translations ?? {},
    state: edition.state,
    audience: edition.audience ?? {},
    selection: edition.selection,
    itemIds: edition.resolvedItemIds ?? (edition.selection.kind === 'items' ? edition.selection.itemIds : null),
    counts,
    rate,
    progress: counts.planned === 0 ? (edition.state === 'sent' ? 1 : 0) : Math.min(1, done / counts.planned),
    createdAt: edition.createdAt,
    scheduledAt: edition.scheduledAt ?? null,
    sendStartedAt: edition.sendStartedAt ?? null,
    completedAt: edition.completedAt ?? null,
    pausedReason: edition.pausedReason ?? null,
    reachedNobody: edition.reachedNobody ?? false,
    deadLettered: status.deadLettered ?? { chunks: 0, recipients: 0 },
  };
}
