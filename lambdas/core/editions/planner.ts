// The planner: pages through confirmed subscribers in parallel shards, picks each one's items, groups them by content
// (distinct item set + language), compiles each group once (MJML, through the renderer port), and enqueues chunks of
// recipients. It is safe to run again after a crash: it resumes each shard from its saved cursor, page counts are
// recorded idempotently, and a re-enqueued chunk is harmless because the sender claims each delivery exactly once.
import { DomainError } from '../shared/errors.js';
import type { Edition } from './model.js';
import { resolveItems, textFor } from './model.js';
import type { Item } from '../items/model.js';
import type { ContentGroup, EmailRenderer } from './newsletter.js';
import { archiveUrl, compileContentGroup, groupKeyFor, inAudience, itemsFor, type Brand } from './newsletter.js';
import type { Clock } from '../shared/ports.js';
import type { ItemReader } from '../items/ports.js';
import type { Subscriber } from '../subscriptions/model.js';
import type { ChunkMessage, ChunkQueue, EditionRepository, SendProgress, SubscriberSource } from './ports.js';
import { confirmedShardCount } from '../subscriptions/model.js';
import { languages, type Language } from '../shared/language.js';

export interface PlannerDeps {
  editions: EditionRepository;
  progress: SendProgress;
  subscribers: SubscriberSource;
  items: ItemReader;
  renderer: EmailRenderer;
  queue: ChunkQueue;
  clock: Clock;
  publicBaseUrl: string;
  brand: Brand;
  /** Recipients per queued chunk (one SQS message). */
  chunkSize?: number;
  shards?: number;
}

export interface PlanResult {
  editionId: string;
  state: Edition['state'];
  planned: number;
  skipped: number;
  chunks: number;
  contentGroups: number;
  compiles: number;
}

/** Everyone this edition is for: confirmed, not paused, of the edition's frequency, in its audience. */
export function isRecipient(edition: Edition, subscriber: Subscriber): boolean {
  return subscriber.status === 'confirmed' && !subscriber.paused && subscriber.frequency === edition.frequency && inAudience(subscriber, edition.audience);
}

/** What the planner does with one subscriber: nothing (not a recipient), skip them (an empty list: no item matches
 *  their preferences), or send them these items. */
export function recipientItems(edition: Edition, subscriber: Subscriber, items: readonly Item[]): string[] | undefined {
  return isRecipient(edition, subscriber) ? itemsFor(subscriber, items, edition.audience) : undefined;
}

export interface AudienceCount {
  /** Who would be sent an email (the planner's `planned`). */
  recipients: number;
  /** In the audience with no matching item (the planner's `skipped`). */
  skipped: number;
  /** Recipients by their language. */
  byLanguage: Record<Language, number>;
}

/** Counts what a send would plan right now, with the planner's own rule, without enqueuing anything. Pages through
 *  every confirmed subscriber: one read of the list, like the planner's. */
export async function countAudience(deps: { subscribers: SubscriberSource; shards?: number }, edition: Edition, items: readonly Item[]): Promise<AudienceCount> {
  const count: AudienceCount = { recipients: 0, skipped: 0, byLanguage: Object.fromEntries(languages.map((l) => [l, 0])) as Record<Language, number> };
  const countShard = async (shard: number) => {
    let cursor: string | undefined;
    do {
      const page = await deps.subscribers.listConfirmedShard(shard, cursor);
      for (const subscriber of page.subscribers) {
        const ids = recipientItems(edition, subscriber, items);
        if (!ids) continue;
        if (ids.length === 0) count.skipped++;
        else {
          count.recipients++;
          count.byLanguage[subscriber.language]++;
        }
      }
      cursor = page.cursor;
    } while (cursor);
  };
  await Promise.all(Array.from({ length: deps.shards ?? confirmedShardCount }, (_, shard) => countShard(shard)));
  return count;
}

/** Freezes the edition's items when the send starts (so every shard and every retry sees the same set). */
export async function freezeItems(deps: Pick<PlannerDeps, 'editions' | 'items'>, edition: Edition): Promise<{ edition: Edition; items: Item[] }> {
  if (edition.resolvedItemIds) {
    const found = await deps.items.getMany(edition.resolvedItemIds);
    const byId = new Map(found.map((i) => [i.id, i]));
    return { edition, items: edition.resolvedItemIds.map((id) => byId.get(id)).filter((i): i is Item => i !== undefined) };
  }
  const last = edition.selection.kind === 'sinceLastEdition' ? await deps.editions.lastStarted(edition.kind, edition.frequency, edition.id) : undefined;
  const items = await resolveItems(edition.selection, deps.items, last?.sendStartedAt);
  const saved = await deps.editions.save({ ...edition, resolvedItemIds: items.map((i) => i.id) }, edition.version);
  return { edition: saved, items };
}

export async function planEdition(deps: PlannerDeps, editionId: string, options: { scheduledAt?: string } = {}): Promise<PlanResult> {
  const chunkSize = deps.chunkSize ?? 50;
  const shardCount = deps.shards ?? confirmedShardCount;
  let edition = await deps.editions.get(editionId);
  if (!edition) throw new DomainError('notFound', 'edition.notFound', `Edition ${editionId} does not exist.`);
  if (edition.state === 'scheduled') {
    // A schedule fires: only the schedule that is current may start the send (a re-scheduled edition ignores the old).
    if (options.scheduledAt && edition.scheduledAt && options.scheduledAt !== edition.scheduledAt) return summary(edition);
    edition = (await deps.editions.transition(editionId, ['scheduled'], 'sending', { sendStartedAt: deps.clock.now().toISOString() })) ?? (await deps.editions.get(editionId))!;
  }
  if (edition.state !== 'sending' && edition.state !== 'paused') return summary(edition);

  const frozen = await freezeItems(deps, edition);
  edition = frozen.edition;
  const items = frozen.items;
  const itemById = new Map(items.map((i) => [i.id, i]));

  // One compile per content group, shared by every shard; stored before any chunk that names it is enqueued.
  const groups = new Map<string, Promise<ContentGroup>>();
  let compiles = 0;
  const groupFor = (language: Subscriber['language'], ids: string[]) => {
    const key = groupKeyFor(language, ids);
    let pending = groups.get(key);
    if (!pending) {
      compiles++;
      pending = (async () => {
        const group = await compileContentGroup(deps.renderer, {
          language,
          ...textFor(edition!, language),
          items: ids.map((id) => itemById.get(id)!),
          brand: deps.brand,
          archiveUrl: archiveUrl(deps.publicBaseUrl, edition!.id),
        });
        await deps.progress.putGroup(edition!.id, group);
        return group;
      })();
      groups.set(key, pending);
    }
    return { key, ready: pending };
  };

  const progress = await deps.progress.planProgress(edition.id);
  let planned = 0;
  let skipped = 0;
  let chunks = 0;

  const planShard = async (shard: number) => {
    const saved = progress.shards[String(shard)];
    if (saved?.done) {
      chunks += saved.chunks;
      return;
    }
    let cursor = saved?.cursor;
    let page = saved?.pages ?? 0;
    let shardChunks = saved?.chunks ?? 0;
    for (;;) {
      const result = await deps.subscribers.listConfirmedShard(shard, cursor);
      const recipients: Array<{ s: string; g: string }> = [];
      const waits: Array<Promise<ContentGroup>> = [];
      let pageSkipped = 0;
      for (const subscriber of result.subscribers) {
        const ids = recipientItems(edition!, subscriber, items);
        if (!ids) continue;
        if (ids.length === 0) {
          pageSkipped++;
          continue;
        }
        const { key, ready } = groupFor(subscriber.language, ids);
        waits.push(ready);
        recipients.push({ s: subscriber.id, g: key });
      }
      await Promise.all(waits);
      const messages: ChunkMessage[] = [];
      for (let i = 0; i < recipients.length; i += chunkSize) {
        messages.push({ editionId: edition!.id, chunkId: `${shard}-${page}-${i / chunkSize}`, recipients: recipients.slice(i, i + chunkSize) });
      }
      if (messages.length > 0) {
        await deps.progress.openChunks(messages); // kept until finished, so a chunk the queue loses is enqueued again
        await deps.queue.enqueue(messages);
      }
      shardChunks += messages.length;
      cursor = result.cursor;
      await deps.progress.recordPlannedPage(edition!.id, {
        shard,
        page,
        planned: recipients.length,
        skipped: pageSkipped,
        chunks: shardChunks,
        cursor,
        done: !cursor,
      });
      planned += recipients.length;
      skipped += pageSkipped;
      page++;
      if (!cursor) break;
    }
    chunks += shardChunks;
  };

  await Promise.all(Array.from({ length: shardCount }, (_, shard) => planShard(shard)));
  await deps.progress.completePlan(edition.id, chunks);
  // An edition that reaches nobody completes at once and is kept out of the public archive.
  if ((await deps.editions.counts(edition.id)).planned === 0) await deps.editions.transition(edition.id, ['sending'], 'sending', { reachedNobody: true });
  await deps.progress.tryComplete(edition.id, deps.clock.now());
  const after = (await deps.editions.get(edition.id))!;
  return { editionId: edition.id, state: after.state, planned, skipped, chunks, contentGroups: groups.size, compiles };

  function summary(e: Edition): PlanResult {
    return { editionId: e.id, state: e.state, planned: 0, skipped: 0, chunks: 0, contentGroups: 0, compiles: 0 };
  }
}
