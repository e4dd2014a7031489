// The sender: takes one chunk of recipients, re-checks each subscriber, claims the delivery row with a conditional
// write BEFORE calling SES, merges the precompiled content group (string joins, no MJML), sends within the rate,
// and settles the claim. The rules that make "never twice, never lost" hold:
//  - a claim exists before SES is called, so a redelivered chunk or a second sender never mails the same person again;
//  - throttling is retried with backoff; if SES still throttles, the claim is released (SES did not accept) and the
//    chunk is retried later — the chunk's other recipients are settled and not lost;
//  - a claim whose outcome is unknown (crash or timeout after SES may have accepted) stays "in doubt" until SES's
//    own records say whether it was accepted; only a claim that no record confirms after `inDoubtAfterMs` is retried.
import { randomUUID } from 'node:crypto';
import type { Edition } from './model.js';
import type { PreparedGroup } from './newsletter.js';
import { buildMessage, maxHtmlBytes, prepareGroup, worstCaseHtmlBytes } from './newsletter.js';
import { MailerError, type Clock, type Mailer } from '../shared/ports.js';
import type { Language } from '../shared/language.js';
import type { Subscriber } from '../subscriptions/model.js';
import type { ChunkMessage, ChunkTally, Delivery, DeliveryLedger, EditionRepository, SendEvidence, SendProgress, SubscriberSource } from './ports.js';
import { senderBurstSeconds, type TokenBucket } from './token-bucket.js';
import { mapLimited } from '../shared/concurrency.js';
import type { ClickTracking } from '../analytics/tracked-links.js';

export interface SenderDeps {
  editions: Pick<EditionRepository, 'get' | 'transition' | 'counts' | 'feedback'>;
  progress: Pick<SendProgress, 'getGroup' | 'finishChunk' | 'tryComplete' | 'park' | 'unpark' | 'recordDeadLetter'>;
  deliveries: DeliveryLedger;
  subscribers: SubscriberSource;
  mailer: Mailer;
  evidence: SendEvidence;
  bucket: TokenBucket;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** Builds a subscriber's personal links and List-Unsubscribe headers, signed for the subscriber's current link
   *  version (a revoke withdraws older preference links) and carrying the email's language (its content group's). */
  links: (subscriber: Pick<Subscriber, 'id' | 'linkVersion'>, now: Date, editionId: string, language: Language) => { preferencesUrl: string; unsubscribeUrl: string; viewUrl: string; headers: Array<{ name: string; value: string }> };
  from: string;
  configurationSet?: string;
  /** Click links and edition-marked leave links in each recipient's copy, and the sends counted per segment. */
  analytics?: {
    tracking: ClickTracking;
    recordSent(editionId: string, subscribers: readonly Subscriber[]): Promise<void>;
  };
  /** A claim no SES record confirms is retried only after this long (SES events arrive within minutes). */
  inDoubtAfterMs: number;
  throttleRetries?: number;
  throttleBaseMs?: number;
  /** Messages sent at once within a chunk (the token bucket still bounds the rate). */
  concurrency?: number;
  /** Bounce and complaint rates over which the edition pauses itself. */
  maxBounceRate?: number;
  maxComplaintRate?: number;
  /** Feedback rates are judged only after this many sends. */
  feedbackMinSample?: number;
  /** How often (ms) a chunk in progress looks again at its edition's state and feedback (pause, cancel, bounces). */
  stateCheckMs?: number;
  /** …and after at most this many messages, so a pause or cancel stops a send within a bounded number of emails. */
  stateCheckEvery?: number;
  /** Receives after which the send queue dead-letters a chunk (its maxReceiveCount): a chunk still unfinished on its
   *  last receive is recorded as dead-lettered, for the edition to show and the recovery sweep to enqueue again. */
  maxReceiveCount?: number;
}

export type ChunkOutcome = 'done' | 'retry' | 'parked' | 'dropped';

export interface ChunkReport {
  outcome: ChunkOutcome;
  tally: ChunkTally & { inDoubt: number; pending: number };
  /** SES calls made while handling this chunk (for tests and logs). */
  sesCalls: number;
}

type RecipientResult = 'sent' | 'suppressed' | 'failed' | 'inDoubt' | 'pending';

const groupCache = new Map<string, PreparedGroup>();
/** How long a send may hold its token before calling SES: the burst its bucket allows. */
const staleTokenMs = senderBurstSeconds * 1000;

export async function processChunk(deps: SenderDeps, message: ChunkMessage): Promise<ChunkReport> {
  const tally = { sent: 0, suppressed: 0, failed: 0, inDoubt: 0, pending: 0 };
  let sesCalls = 0;
  const report = (outcome: ChunkOutcome): ChunkReport => ({ outcome, tally, sesCalls });

  let edition = await deps.editions.get(message.editionId);
  if (!edition || edition.state === 'cancelled' || edition.state === 'draft' || edition.state === 'scheduled') return report('dropped');
  if (edition.state === 'sending' && (await feedbackTooHigh(deps, edition))) edition = (await pauseForFeedback(deps, edition)) ?? edition;
  if (edition.state === 'paused') {
    // Keep the chunk until resume. If a resume raced us, whoever removes the parked row carries on with it.
    await deps.progress.park(message);
    const again = await deps.editions.get(edition.id);
    if (again?.state !== 'sending' || !(await deps.progress.unpark(edition.id, message.chunkId))) return report('parked');
    edition = again;
  }
  // A chunk of a finished edition can only be a redelivery: everything in it is settled already, so it falls through
  // the claims below without sending anything.

  const groups = new Map<string, PreparedGroup>();
  for (const key of new Set(message.recipients.map((r) => r.g))) {
    const cacheKey = `${edition.id}/${key}`;
    let prepared = groupCache.get(cacheKey);
    if (!prepared) {
      const group = await deps.progress.getGroup(edition.id, key);
      if (!group) throw new Error(`Content group ${key} of edition ${edition.id} is missing; the planner stores it before enqueuing.`);
      prepared = prepareGroup(group);
      if (groupCache.size > 500) groupCache.clear();
      groupCache.set(cacheKey, prepared);
    }
    groups.set(key, prepared);
  }

  const current = await deps.subscribers.getMany(message.recipients.map((r) => r.s));
  const now = () => deps.clock.now();

  // A pause, a cancel or a bounce spike must stop a chunk that is already under way, not only the next one.
  let halted: 'paused' | 'cancelled' | undefined;
  let lastCheck = deps.clock.now().getTime();
  let checking: Promise<void> | undefined;
  let sinceCheck = 0;
  const haltedNow = async () => {
    sinceCheck++;
    if (halted || (deps.clock.now().getTime() - lastCheck < (deps.stateCheckMs ?? 1000) && sinceCheck < (deps.stateCheckEvery ?? 10))) return halted;
    sinceCheck = 0;
    checking ??= (async () => {
      let e = await deps.editions.get(edition!.id);
      if (e?.state === 'sending' && (await feedbackTooHigh(deps, e))) e = (await pauseForFeedback(deps, e)) ?? e;
      if (e?.state === 'paused' || e?.state === 'cancelled') halted = e.state;
      lastCheck = deps.clock.now().getTime();
    })().finally(() => (checking = undefined));
    await checking;
    return halted;
  };

  /** Sends to one claimed recipient and settles the claim. A store failure before SES is called releases the claim
   *  (nothing went out); one after SES accepted leaves it in doubt, settled later from SES's records. */
  const send = async (recipient: { s: string; g: string }, subscriber: Subscriber, token: string, claimedAt: number, tokenAt: number): Promise<RecipientResult> => {
    let messageId: string | undefined;
    try {
      const outcome = await attempt(recipient, subscriber, token, claimedAt, tokenAt, (id) => (messageId = id));
      return outcome;
    } catch {
      if (messageId !== undefined) return 'inDoubt'; // SES accepted; recording it failed
      await releaseQuietly(recipient.s, token);
      return 'pending';
    }
  };

  /** Best effort: if the store is down this fails too, and the claim is settled from SES's records after the bound. */
  const releaseQuietly = async (subscriberId: string, token: string) => {
    try {
      await deps.deliveries.release(edition!.id, subscriberId, token);
    } catch {
      // left claimed: in doubt until the evidence check (SES has no record of it, so it is retried)
    }
  };

  const attempt = async (recipient: { s: string; g: string }, subscriber: Subscriber, token: string, claimedAt: number, firstTokenAt: number, accepted: (messageId: string) => void): Promise<RecipientResult> => {
    const prepared = groups.get(recipient.g)!;
    if (worstCaseHtmlBytes(prepared.html) > maxHtmlBytes) {
      await deps.deliveries.markFailed(edition!.id, recipient.s, token, 'tooLarge', now());
      return 'failed';
    }
    const links = deps.links(subscriber, now(), edition!.id, prepared.group.language);
    const built = buildMessage(
      prepared,
      { subscriberId: subscriber.id, email: subscriber.email, values: { unsubscribe_url: links.unsubscribeUrl, preferences_url: links.preferencesUrl, view_url: links.viewUrl }, headers: links.headers },
      { from: deps.from, editionId: edition!.id, configurationSet: deps.configurationSet },
    );
    const email = deps.analytics ? deps.analytics.tracking.apply(built, { editionId: edition!.id, subscriber, trackable: prepared.group.links, links, now: now() }) : built;
    const retries = deps.throttleRetries ?? 4;
    let tokenAt = firstTokenAt;
    for (let tries = 0; ; tries++) {
      if (tries > 0) {
        await deps.bucket.take();
        tokenAt = now().getTime();
      }
      if (await haltedNow()) {
        await deps.deliveries.release(edition!.id, recipient.s, token); // not sent: the chunk is parked (or dropped)
        return 'pending';
      }
      // A token is a moment to call SES. Sends whose tokens were held up together (a slow state check or claim, shared
      // by every send waiting on it) would otherwise leave together, a wave above the rate; each takes a fresh token.
      if (now().getTime() - tokenAt > staleTokenMs) await deps.bucket.take();
      if (now().getTime() - claimedAt >= deps.inDoubtAfterMs / 2) {
        // Once the bound passes, another sender may take this claim over; an SES call started late could then mail
        // twice. Past half the bound (a slow rate wait, backoff, a stalled process) the claim is given up unsent; the
        // other half is left for a call already under way to land in SES's records.
        await deps.deliveries.release(edition!.id, recipient.s, token);
        return 'pending';
      }
      let messageId: string;
      try {
        sesCalls++;
        messageId = (await deps.mailer.send(email)).messageId;
      } catch (error) {
        // Anything the mailer did not classify may have reached SES: in doubt.
        const failure = error instanceof MailerError ? error : undefined;
        if (failure?.kind === 'throttled' || failure?.kind === 'notSent') {
          // SES did not accept (throttled) or never saw the request (unreachable): back off and try again, then
          // release the claim so the chunk's next delivery sends it.
          if (tries < retries) {
            const base = (deps.throttleBaseMs ?? 100) * 2 ** tries;
            await deps.sleep(base + Math.floor(Math.random() * base));
            continue;
          }
          await deps.deliveries.release(edition!.id, recipient.s, token);
          return 'pending';
        }
        if (failure?.kind === 'rejectedForGood') {
          await deps.deliveries.markFailed(edition!.id, recipient.s, token, failure.reason, now());
          return 'failed';
        }
        if (failure?.kind === 'notAccepted') {
          await deps.deliveries.release(edition!.id, recipient.s, token); // not accepted (e.g. sending paused): retry later
          return 'pending';
        }
        return 'inDoubt'; // SES may have accepted it: the claim stays until SES's records settle it
      }
      accepted(messageId);
      // A failure here (the store down, the process dying) leaves the claim in doubt; reconciliation finds SES's record.
      await deps.deliveries.markSent(edition!.id, recipient.s, token, messageId, now());
      sentNow.push(subscriber);
      return 'sent';
    }
  };

  const inDoubt: Array<{ recipient: { s: string; g: string }; subscriber?: Subscriber; delivery: Delivery }> = [];
  /** Sent by this run (not settled earlier): counted once per segment for the click rates. */
  const sentNow: Subscriber[] = [];

  const handle = async (recipient: { s: string; g: string }): Promise<RecipientResult | undefined> => {
    if (halted) return 'pending'; // paused or cancelled meanwhile: do not even claim
    const subscriber = current.get(recipient.s);
    if (!subscriber || subscriber.status !== 'confirmed' || subscriber.paused || (await deps.subscribers.isSuppressed(subscriber.email))) {
      const row = await deps.deliveries.markSuppressed(edition!.id, recipient.s, subscriber ? subscriber.status : 'gone', now());
      if (row.status === 'claimed') {
        inDoubt.push({ recipient, delivery: row }); // an earlier attempt may have reached SES: settle from its records
        return undefined;
      }
      return settled(row);
    }
    // The token before the claim: a claim's age (which decides when another sender may take it over) then never
    // includes a wait for the rate.
    await deps.bucket.take();
    const tokenAt = now().getTime();
    const token = randomUUID();
    const claimedAt = now();
    let claim: Awaited<ReturnType<DeliveryLedger['claim']>>;
    try {
      claim = await deps.deliveries.claim(edition!.id, recipient.s, token, claimedAt);
    } catch {
      await releaseQuietly(recipient.s, token); // the write may have landed before the store failed
      return 'pending';
    }
    if (claim.claimed) return send(recipient, subscriber, token, claimedAt.getTime(), tokenAt);
    if (claim.existing.status === 'claimed') {
      inDoubt.push({ recipient, subscriber, delivery: claim.existing });
      return undefined; // decided below, with one look at SES's records for the whole chunk
    }
    return settled(claim.existing);
  };

  // One recipient's store failure leaves it pending (its claim released or in doubt), never the chunk's others unsettled.
  const results = await mapLimited(message.recipients, deps.concurrency ?? 4, (r) => handle(r).catch((): RecipientResult => 'pending'));

  if (inDoubt.length > 0) {
    const oldest = inDoubt.reduce((min, d) => Math.min(min, Date.parse(d.delivery.claimedAt ?? '')), Infinity);
    const accepted = await deps.evidence.accepted(edition.id, inDoubt.map((d) => d.recipient.s), new Date((Number.isFinite(oldest) ? oldest : now().getTime()) - 60_000));
    const decided = await mapLimited(inDoubt, deps.concurrency ?? 4, async ({ recipient, subscriber, delivery }): Promise<RecipientResult> => {
      const messageId = accepted.get(recipient.s);
      if (messageId !== undefined) {
        await deps.deliveries.markSent(edition!.id, recipient.s, delivery.claimToken!, messageId, now());
        return 'sent';
      }
      const age = now().getTime() - Date.parse(delivery.claimedAt ?? '');
      if (!(age >= deps.inDoubtAfterMs)) return 'inDoubt';
      if (!subscriber) {
        // Unconfirmed after the bound, and the subscriber left meanwhile: never retried, settled as suppressed.
        const row = await deps.deliveries.markSuppressed(edition!.id, recipient.s, 'left', now(), delivery.claimToken);
        return settled(row);
      }
      await deps.bucket.take();
      const tokenAt = now().getTime();
      const token = randomUUID();
      const claimedAt = now();
      if (!(await deps.deliveries.reclaim(edition!.id, recipient.s, delivery.claimToken!, token, claimedAt))) return 'inDoubt'; // someone else took it
      return send(recipient, subscriber, token, claimedAt.getTime(), tokenAt);
    });
    results.push(...decided);
  }

  for (const r of results) if (r) tally[r]++;
  // Engagement stats never stop a send: a failure here loses these counts only.
  await deps.analytics?.recordSent(edition.id, sentNow).catch(() => undefined);
  if (halted === 'cancelled') return report('dropped');
  if (halted === 'paused' && tally.pending > 0) {
    await deps.progress.park(message);
    const again = await deps.editions.get(edition.id);
    if (again?.state !== 'sending' || !(await deps.progress.unpark(edition.id, message.chunkId))) return report('parked');
    // Resumed meanwhile and nobody took the parked copy: carry on now rather than wait for the queue's visibility
    // timeout. Running the chunk again is safe: settled recipients count as they are and are never sent twice.
    return processChunk(deps, message);
  }
  if (tally.inDoubt + tally.pending === 0) {
    await deps.progress.finishChunk(edition.id, message.chunkId);
    await deps.progress.tryComplete(edition.id, now());
    return report('done');
  }
  return report('retry');
}

function settled(row: Delivery): RecipientResult {
  switch (row.status) {
    case 'sent':
      return 'sent';
    case 'failed':
      return 'failed';
    case 'suppressed':
      return 'suppressed';
    default:
      return 'inDoubt';
  }
}

async function feedbackTooHigh(deps: SenderDeps, edition: Edition): Promise<boolean> {
  const minSample = deps.feedbackMinSample ?? 200;
  const counts = await deps.editions.feedback(edition.id);
  if (counts.bounces === 0 && counts.complaints === 0) return false;
  const sent = (await deps.editions.counts(edition.id)).sent;
  if (sent < minSample) return false;
  return counts.bounces / sent > (deps.maxBounceRate ?? 0.05) || counts.complaints / sent > (deps.maxComplaintRate ?? 0.001);
}

function pauseForFeedback(deps: SenderDeps, edition: Edition) {
  return deps.editions.transition(edition.id, ['sending'], 'paused', { pausedReason: 'Bounce or complaint rate over the threshold; check the list before resuming.' });
}

/** Resume: every parked chunk enqueued again, and only then its parked row removed (an enqueue that fails leaves the
 *  chunks parked for the next resume or the recovery sweep). A chunk a racing sender also took up runs twice, which
 *  the delivery claims make harmless. */
export async function resumeEdition(deps: { progress: Pick<SendProgress, 'listParked' | 'unpark'>; enqueue: (messages: ChunkMessage[]) => Promise<void> }, editionId: string): Promise<number> {
  const parked = await deps.progress.listParked(editionId);
  if (parked.length === 0) return 0;
  await deps.enqueue(parked);
  for (const message of parked) await deps.progress.unpark(editionId, message.chunkId);
  return parked.length;
}
