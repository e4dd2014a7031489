// Automatic digests: subscribers who chose daily or weekly get, on that schedule, one email with the new items that
// match their preferences. A digest is an edition of kind 'digest' for that frequency, planned and sent by the same
// pipeline (so the same guarantees hold). Nothing new since the last digest = no digest; a subscriber with nothing
// new that matches them is skipped and counted, never sent an empty email.
import { conflict } from '../shared/errors.js';
import type { Edition } from './model.js';
import { newEdition, resolveItems } from './model.js';
import type { DigestFrequency } from '../subscriptions/model.js';
import type { PlanResult, PlannerDeps } from './planner.js';
import { planEdition } from './planner.js';

const periodMs: Record<DigestFrequency, number> = { daily: 24 * 3600_000, weekly: 7 * 24 * 3600_000 };

/** The period a run belongs to: its id makes a retried or doubled run find the same digest (never two). */
export function digestPeriod(frequency: DigestFrequency, now: Date): string {
  const day = now.toISOString().slice(0, 10);
  if (frequency === 'daily') return day;
  // ISO week: Thursday of this week decides the year.
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const dateFormats = {
  es: new Intl.DateTimeFormat('es', { dateStyle: 'long', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }),
};

export function digestSubjects(frequency: DigestFrequency, now: Date) {
  return {
    es: `${frequency === 'daily' ? 'Resumen diario' : 'Resumen semanal'} de la Alianza del Pacífico · ${dateFormats.es.format(now)}`,
    en: `Pacific Alliance ${frequency} digest · ${dateFormats.en.format(now)}`,
  };
}

export interface DigestResult {
  editionId?: string;
  created: boolean;
  items: number;
  plan?: PlanResult;
}

export async function runDigest(deps: PlannerDeps, frequency: DigestFrequency): Promise<DigestResult> {
  const now = deps.clock.now();
  const id = `digest-${frequency}-${digestPeriod(frequency, now)}`;
  let edition: Edition | undefined = await deps.editions.get(id);
  if (!edition) {
    const last = await deps.editions.lastStarted('digest', frequency, id);
    const since = last?.sendStartedAt ?? new Date(now.getTime() - periodMs[frequency]).toISOString();
    const items = await resolveItems({ kind: 'since', since }, deps.items, undefined);
    if (items.length === 0) return { created: false, items: 0 };
    const subjects = digestSubjects(frequency, now);
    const draft: Edition = {
      ...newEdition({ subject: subjects.en, translations: { es: { subject: subjects.es } }, itemIds: items.map((i) => i.id) }, { id, now, kind: 'digest', frequency }),
      resolvedItemIds: items.map((i) => i.id),
    };
    await deps.editions.create(draft); // `exists`: a concurrent run created it, and it is read back below
    edition = (await deps.editions.get(id))!;
  }
  if (edition.state === 'draft') {
    const started = await deps.editions.transition(id, ['draft'], 'sending', { sendStartedAt: now.toISOString(), updatedAt: now.toISOString() });
    if (!started && (await deps.editions.get(id))?.state === 'draft') throw conflict('edition.changed', 'The digest changed meanwhile.');
  }
  const plan = await planEdition(deps, id);
  return { editionId: id, created: true, items: edition.resolvedItemIds?.length ?? 0, plan };
}
