// The recovery sweep: finds sends that stopped moving and starts them again. A send stops when its planner died
// mid-plan, when a chunk was lost (dead-lettered, or dropped by a queue), or when a schedule never fired. A chunk the
// queue is known to have dead-lettered is enqueued again at the next sweep, without waiting for the send to look
// stopped: nothing else would ever take it up. Running it
// is always safe: the planner resumes from its cursors and counts each page once, and a chunk enqueued twice sends
// nobody twice (the delivery claim is written before SES is called).
import type { Edition } from './model.js';
import { planEdition, type PlannerDeps } from './planner.js';
import { resumeEdition } from './sender.js';
import type { ChunkMessage, SendProgress } from './ports.js';

export interface SweepDeps extends PlannerDeps {
  /** A send with no delivery claimed or settled for this long is taken as stopped (longer than a chunk's retries). */
  staleAfterMs: number;
}

export interface SweepResult {
  editionId: string;
  action: 'planned' | 'requeued' | 'started';
  chunks: number;
}

/** One pass over unfinished editions; returns what it did to each one that needed it. */
export async function sweepEditions(deps: SweepDeps, now: Date): Promise<SweepResult[]> {
  const done: SweepResult[] = [];
  for (const edition of await deps.editions.listInStates(['scheduled', 'sending'])) {
    const result = await sweepOne(deps, edition, now);
    if (result) done.push(result);
  }
  return done;
}

async function sweepOne(deps: SweepDeps, edition: Edition, now: Date): Promise<SweepResult | undefined> {
  if (edition.state === 'scheduled') {
    // A schedule whose time passed a while ago and that never fired: start it as the schedule would have.
    if (!edition.scheduledAt || Date.parse(edition.scheduledAt) > now.getTime() - deps.staleAfterMs) return undefined;
    const plan = await planEdition(deps, edition.id, { scheduledAt: edition.scheduledAt });
    return { editionId: edition.id, action: 'started', chunks: plan.chunks };
  }
  const deadLetters = await deps.progress.listDeadLetters(edition.id);
  const counts = await deps.editions.counts(edition.id);
  const lastMoved = Math.max(Date.parse(counts.lastActivityAt ?? '') || 0, Date.parse(edition.sendStartedAt ?? '') || 0, Date.parse(edition.updatedAt) || 0);
  if (now.getTime() - lastMoved < deps.staleAfterMs) {
    // In flight, but the queue gave up on these chunks.
    if (deadLetters.length === 0) return undefined;
    await requeueChunks({ progress: deps.progress, enqueue: (m) => deps.queue.enqueue(m) }, edition.id, deadLetters, deadLetters, now);
    return { editionId: edition.id, action: 'requeued', chunks: deadLetters.length };
  }
  const progress = await deps.progress.planProgress(edition.id);
  if (!progress.complete) {
    const plan = await planEdition(deps, edition.id);
    return { editionId: edition.id, action: 'planned', chunks: plan.chunks };
  }
  const open = await deps.progress.listOpenChunks(edition.id);
  await requeueChunks({ progress: deps.progress, enqueue: (m) => deps.queue.enqueue(m) }, edition.id, open, deadLetters, now);
  // Chunks parked by a pause that raced a resume would otherwise wait for the next resume.
  const parked = await resumeEdition({ progress: deps.progress, enqueue: (m) => deps.queue.enqueue(m) }, edition.id);
  await deps.progress.tryComplete(edition.id, now);
  return open.length + parked > 0 ? { editionId: edition.id, action: 'requeued', chunks: open.length + parked } : undefined;
}


/** Enqueues unfinished chunks again. Their dead-letter records are forgotten first: a chunk enqueued here can be
 *  dead-lettered again (and recorded anew) before this returns, and that new record must not be deleted with the old.
 *  If the enqueue fails, the records are written back for the next sweep or redrive. */
export async function requeueChunks(
  deps: { progress: Pick<SendProgress, 'clearDeadLetter' | 'recordDeadLetter'>; enqueue: (messages: ChunkMessage[]) => Promise<void> },
  editionId: string,
  open: ChunkMessage[],
  deadLetters: ChunkMessage[],
  now: Date,
): Promise<void> {
  for (const dead of deadLetters) await deps.progress.clearDeadLetter(editionId, dead.chunkId);
  try {
    if (open.length > 0) await deps.enqueue(open);
  } catch (error) {
    for (const dead of deadLetters) await deps.progress.recordDeadLetter(dead, now).catch(() => undefined);
    throw error;
  }
}
