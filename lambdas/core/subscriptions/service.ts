// The subscription service: double opt-in, the preference centre, one-click unsubscribe, erasure, the editor's
// view, imports and SES feedback. Every write that must happen exactly once is a conditional write in the store.
import { DomainError, invalid, notFound } from '../shared/errors.js';
import type { Clock, Mailer } from '../shared/ports.js';
import { verifyToken, type TokenClaims, type TokenPurpose } from '../shared/signing.js';
import { currentTaxonomy, type CountryCode, type TopicSlug } from '../taxonomy/taxonomy.js';
import { confirmUrl, normaliseEmail, preferencesUrl, signLink, subscriberLinks, tokenLifetimeMs } from './links.js';
import { maskEmail } from '../shared/text.js';
import { alreadySubscribedEmail, confirmationEmail, linksRenewedEmail } from './emails.js';
import type { Language } from '../shared/language.js';
import { selfLiftable, type ConsentProof, type Frequency, type SesEventSummary, type Preferences, type SubscriberRecord, type SubscriberStore, type SubscriberStatus, type SuppressionReason } from './model.js';

export const confirmationsPerWindow = 3;
export const confirmationWindowMs = 24 * 3600 * 1000;
const ipWindowMs = 3600 * 1000;

export interface SubscriptionSettings {
  baseUrl: string;
  /** Signs and checks every link; never empty (the composition root refuses to build the service without it). */
  secret: string;
  sender: string;
  wordingVersion: string;
  /** Subscribe requests per IP per hour. */
  ipLimitPerHour: number;
  /** Soft bounces before an address is suppressed. */
  softBounceLimit: number;
  configurationSet?: string;
}

export interface SubscriptionDeps {
  store: SubscriberStore;
  mailer: Mailer;
  clock: Clock;
  newId: () => string;
  settings: SubscriptionSettings;
  /** Structured log line (never a full address or a token). */
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Runs the state-dependent part of a public request (subscribe, resend) so that its answer takes the same time
   *  whatever the address's state (the adapter pads to a floor above the slowest path). Default: just runs it. */
  evenAnswerTime?: (work: () => Promise<void>) => Promise<void>;
  /** Told of each change that moves the subscriber counts (analytics; never fails the change). */
  changed?: (change: SubscriberChange) => Promise<void>;
}

export type SubscriberChange = 'subscribed' | 'confirmed' | 'unsubscribed' | 'suppressed';

/** Who is asking: for consent proof and the per-IP limit. */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
}

export interface SubscribeInput extends Preferences {
  email: string;
}

export interface PreferencesView extends Preferences {
  email: string;
  status: SubscriberStatus;
  paused: boolean;
  /** false: links in their emails go straight to the source, uncounted. */
  clickTracking: boolean;
}

export interface ImportRow {
  email: string;
  countries?: string[];
  topics?: string[];
  language?: Language;
  frequency?: Frequency;
  consent?: { at: string; wordingVersion: string; ip?: string; userAgent?: string; source?: string };
}

export interface ImportReport {
  received: number;
  confirmed: number;
  pending: number;
  skippedExisting: number;
  skippedSuppressed: number;
  errors: Array<{ row: number; code: string; message: string }>;
}

export interface SegmentFilter {
  status?: SubscriberStatus;
  country?: CountryCode;
  topic?: TopicSlug;
  language?: Language;
}

export interface FeedbackOutcome {
  type: SesEventSummary['type'];
  action: 'suppressed' | 'softBounceCounted' | 'ignored';
  subscriberId?: string;
  tags: Record<string, string>;
}

export { normaliseEmail };

/** Keeps known values only; throws `subscription.unknownCountry` / `subscription.unknownTopic` otherwise. */
export function checkPreferences(countries: readonly string[], topics: readonly string[]): { countries: CountryCode[]; topics: TopicSlug[] } {
  const { countryCodes, topicSlugs, isCountryCode, isTopicSlug } = currentTaxonomy();
  const badCountry = countries.find((c) => !isCountryCode(c));
  if (badCountry !== undefined) {
    throw invalid('subscription.unknownCountry', `Unknown country "${badCountry}"; use one of ${countryCodes.join(', ')}.`);
  }
  const badTopic = topics.find((t) => !isTopicSlug(t));
  if (badTopic !== undefined) {
    throw invalid('subscription.unknownTopic', `Unknown topic "${badTopic}"; use one of ${topicSlugs.join(', ')}.`);
  }
  return { countries: [...new Set(countries)] as CountryCode[], topics: [...new Set(topics)] as TopicSlug[] };
}

const linksRevoked = () =>
  new DomainError('forbidden', 'token.revoked', 'This link was withdrawn: the links of this subscription were renewed. Use the link in the latest email we sent you.');

const noSubscription = () =>
  notFound('subscription.notFound', 'We hold no subscription for this link any more (it may have been deleted). You can subscribe again.');

export function createSubscriptionService(deps: SubscriptionDeps) {
  const { store, mailer, clock, settings } = deps;
  if (!settings.secret) throw new DomainError('unavailable', 'subscription.notConfigured', 'Subscriptions need a signing secret (SIGNING_SECRET); none was given.');
  const log = deps.log ?? (() => undefined);
  const changed = deps.changed ?? (async () => undefined);
  const evenAnswerTime = deps.evenAnswerTime ?? ((work: () => Promise<void>) => work());
  /** Links for an email carry its language (`?lang=`); links answered to the caller (API, pages) carry none. */
  const linkOptions = (emailLanguage?: Language) => ({ baseUrl: settings.baseUrl, secret: settings.secret, now: clock.now(), ...(emailLanguage ? { language: emailLanguage } : {}) });

  const proof = (origin: RequestOrigin, method: ConsentProof['method']): ConsentProof => ({
    at: clock.now().toISOString(),
    ip: origin.ip,
    userAgent: origin.userAgent.slice(0, 512),
    wordingVersion: settings.wordingVersion,
    method,
  });

  /** Sends a confirmation link, if the address still has a slot in its 24 h window. Silent otherwise. */
  async function sendConfirmation(record: SubscriberRecord, language: SubscriberRecord['language']): Promise<boolean> {
    const now = clock.now();
    if (!(await store.takeConfirmationSlot(record.email, now, confirmationsPerWindow, confirmationWindowMs))) {
      log('confirmation.rateLimited', { subscriberId: record.id });
      return false;
    }
    const nonce = Math.floor((now.getTime() + tokenLifetimeMs.confirm) / 1000);
    if (!(await store.addConfirmNonce(record.id, nonce))) return false; // confirmed or gone meanwhile
    const token = signLink(record, 'confirm', { secret: settings.secret, now });
    const mail = confirmationEmail(language, confirmUrl(settings.baseUrl, token, language));
    await mailer.send({
      from: settings.sender,
      to: record.email,
      ...mail,
      tags: { type: 'confirmation', subscriber: record.id },
      ...(settings.configurationSet ? { configurationSet: settings.configurationSet } : {}),
    });
    log('confirmation.sent', { subscriberId: record.id, to: maskEmail(record.email) });
    return true;
  }

  async function sendAlreadySubscribed(record: SubscriberRecord): Promise<void> {
    const now = clock.now();
    if (!(await store.takeConfirmationSlot(record.email, now, confirmationsPerWindow, confirmationWindowMs))) return;
    const links = subscriberLinks(record, linkOptions(record.language));
    await mailer.send({
      from: settings.sender,
      to: record.email,
      ...alreadySubscribedEmail(record.language, links.preferencesUrl),
      tags: { type: 'already-subscribed', subscriber: record.id },
      ...(settings.configurationSet ? { configurationSet: settings.configurationSet } : {}),
    });
  }

  /** Checks a link's signature, expiry and purpose (the first of `purposes` it was signed for). */
  function verify(token: string, purposes: TokenPurpose[], scope?: string): TokenClaims {
    const now = clock.now();
    let lastError: unknown;
    for (const purpose of purposes) {
      try {
        return verifyToken(token, purpose, settings.secret, now, scope);
      } catch (error) {
        lastError = error;
        if (!(error instanceof DomainError && error.code === 'token.wrongPurpose')) throw error;
      }
    }
    throw lastError;
  }

  /** A link is current while it carries the subscriber's link version; unsubscribe links carry none and stay. */
  function checkCurrent(record: SubscriberRecord, claims: TokenClaims): SubscriberRecord {
    if (claims.purpose !== 'unsub' && (claims.linkVersion ?? 0) !== (record.linkVersion ?? 0)) throw linksRevoked();
    return record;
  }

  /** The subscriber a current link of one of `purposes` belongs to. */
  async function holderOf(token: string, purposes: TokenPurpose[]): Promise<{ claims: TokenClaims; record: SubscriberRecord }> {
    const claims = verify(token, purposes);
    const record = await store.get(claims.subscriberId);
    if (!record) throw noSubscription();
    return { claims, record: checkCurrent(record, claims) };
  }

  /** `mutate` on behalf of a link's holder: the link must still be current when the change is written. */
  const mutateAs = (claims: TokenClaims, change: (record: SubscriberRecord) => SubscriberRecord | undefined) =>
    mutate(claims.subscriberId, (r) => change(checkCurrent(r, claims)));

  /** Withdraws every preference, confirm and undo link of the record (unsubscribe links stay). */
  const revoke = (r: SubscriberRecord): SubscriberRecord => ({ ...r, linkVersion: (r.linkVersion ?? 0) + 1, confirmNonces: [] });

  /** Read-modify-write under the record's version, retried on a lost race. */
  async function mutate(id: string, change: (record: SubscriberRecord) => SubscriberRecord | undefined): Promise<SubscriberRecord> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await store.get(id);
      if (!current) throw noSubscription();
      const next = change(current);
      if (!next) return current;
      const saved = { ...next, version: current.version + 1, updatedAt: clock.now().toISOString() };
      if (await store.save(saved)) return saved;
    }
    throw new DomainError('conflict', 'subscription.busy', 'Your subscription changed while we saved it; try again.');
  }

  /** Runs the state-dependent part of a public request; a failure there (the mailer, a lost race) is logged, never
   *  answered, so the answer cannot tell states apart. */
  async function quietly(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      log(`${what}.failed`, { error: (error as Error).name, message: (error as Error).message });
    }
  }

  async function subscribeKnownOrNew(email: string, prefs: Preferences, requested: ConsentProof): Promise<void> {
    const now = clock.now();
    const suppression = await store.suppressionOf(email);
    if (suppression && !selfLiftable.includes(suppression.reason)) return; // bounced or complained: an editor decides
    let record = await store.findByEmail(email);
    if (!record) {
      const at = now.toISOString();
      const fresh: SubscriberRecord = {
        id: deps.newId(),
        email,
        status: 'pending',
        ...prefs,
        paused: false,
        createdAt: at,
        updatedAt: at,
        version: 1,
        consent: { requested },
        origin: 'api',
      };
      if ((await store.create(fresh)) === 'created') {
        await changed('subscribed');
        await sendConfirmation(fresh, prefs.language);
        return;
      }
      record = await store.findByEmail(email); // another request created it first
      if (!record) return;
    }
    if (record.status === 'pending') {
      await store.updatePending(record.id, prefs, requested, now);
      await sendConfirmation(record, prefs.language);
    } else if (record.status === 'confirmed') {
      await sendAlreadySubscribed(record);
    } else if (record.status === 'unsubscribed') {
      // Came back: pending again with the new preferences, until the new confirmation link is followed.
      const pending = await mutate(record.id, (r) =>
        r.status !== 'unsubscribed' ? undefined : { ...r, ...prefs, status: 'pending', paused: false, confirmNonces: [], consent: { ...r.consent, requested } },
      );
      if (pending.status === 'pending') await sendConfirmation(pending, prefs.language);
    }
    // suppressed: never mailed again by a request anyone can make.
  }

  async function unsubscribeWith(token: string, options: { oneClick?: boolean }) {
    const claims = verify(token, ['unsub', 'prefs']);
    try {
      const at = clock.now().toISOString();
      const record = await mutateAs(claims, (r) =>
        r.status === 'unsubscribed' || r.status === 'suppressed'
          ? undefined
          : { ...r, status: 'unsubscribed', unsubscribedAt: at, confirmNonces: [] },
      );
      log('subscription.unsubscribed', { subscriberId: claims.subscriberId, oneClick: Boolean(options.oneClick) });
      /** True when this request is the one that unsubscribed them (not a repeat). */
      const left = record.unsubscribedAt === at;
      if (left) await changed('unsubscribed');
      return { status: record.status as SubscriberStatus | 'erased', record, claims, left };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'subscription.notFound') return { status: 'erased' as const, claims };
      throw error;
    }
  }

  async function comeBack(claims: TokenClaims, consent: ConsentProof): Promise<SubscriberRecord> {
    const current = await store.get(claims.subscriberId);
    if (!current) throw noSubscription();
    checkCurrent(current, claims);
    if (current.status === 'suppressed' || (await store.isSuppressed(current.email))) {
      throw new DomainError('conflict', 'subscription.suppressed', 'Mail to this address bounced or was reported as spam, so we cannot send to it. Write to the editors if this is a mistake.');
    }
    return mutateAs(claims, (r) =>
      r.status !== 'unsubscribed'
        ? undefined
        : { ...r, status: 'confirmed', paused: false, confirmedAt: clock.now().toISOString(), consent: { ...r.consent, resubscribed: consent } },
    );
  }

  return {
    /** Answers the same way, in the same time, whatever the address's state (no enumeration); mails only the
     *  owner. New, unsubscribed and erased addresses get a double opt-in, pending ones a fresh link, confirmed ones an
     *  "already subscribed" note; bounced or complained-about addresses get nothing until an editor lifts that. */
    async subscribe(input: SubscribeInput, origin: RequestOrigin): Promise<void> {
      const now = clock.now();
      if (!(await store.hitRateLimit(`subscribe-ip:${origin.ip}`, now, ipWindowMs, settings.ipLimitPerHour))) {
        throw new DomainError('rateLimited', 'subscription.tooManyRequests', 'Too many subscription requests from your network; try again in an hour.');
      }
      const email = normaliseEmail(input.email);
      const prefs: Preferences = { ...checkPreferences(input.countries, input.topics), language: input.language, frequency: input.frequency };
      await evenAnswerTime(() => quietly('subscribe', () => subscribeKnownOrNew(email, prefs, proof(origin, 'form'))));
    },

    /** Resends the confirmation link to a pending address; silent in every other case (no enumeration). */
    async resend(rawEmail: string, origin: RequestOrigin): Promise<void> {
      const now = clock.now();
      if (!(await store.hitRateLimit(`subscribe-ip:${origin.ip}`, now, ipWindowMs, settings.ipLimitPerHour))) {
        throw new DomainError('rateLimited', 'subscription.tooManyRequests', 'Too many requests from your network; try again in an hour.');
      }
      const email = normaliseEmail(rawEmail);
      await evenAnswerTime(() =>
        quietly('resend', async () => {
          if (await store.isSuppressed(email)) return;
          const record = await store.findByEmail(email);
          if (record?.status === 'pending') await sendConfirmation(record, record.language);
        }),
      );
    },

    /** Confirms with a link token: works once, within 7 days, only while pending. */
    async confirm(token: string, origin: RequestOrigin) {
      const claims = verify(token, ['confirm']);
      const nonce = Math.floor(claims.expiresAt.getTime() / 1000);
      const now = clock.now();
      if (await store.confirm(claims.subscriberId, nonce, proof(origin, 'confirm-link'), now)) {
        const record = await store.get(claims.subscriberId);
        // Someone who had erased their data (or been deleted on request) has opted in again: the erasure's
        // suppression ends here, with this confirmation as its record.
        const suppression = record ? await store.suppressionOf(record.email) : undefined;
        if (record && suppression && selfLiftable.includes(suppression.reason)) {
          await store.liftSuppression(record.email, { at: now.toISOString(), by: 'subscriber', reason: 'confirmed a new sign-up' });
        }
        const links = subscriberLinks(record ?? { id: claims.subscriberId }, linkOptions());
        log('subscription.confirmed', { subscriberId: claims.subscriberId });
        await changed('confirmed');
        return { status: 'confirmed' as const, preferencesUrl: links.preferencesUrl, preferencesToken: links.prefsToken };
      }
      const record = await store.get(claims.subscriberId);
      if (!record) throw noSubscription();
      if (record.status === 'confirmed') {
        throw new DomainError('conflict', 'subscription.alreadyConfirmed', 'This subscription is already confirmed; there is nothing more to do.');
      }
      if (record.status === 'pending') {
        throw new DomainError('forbidden', 'token.superseded', 'This link was replaced by a newer one. Use the latest confirmation email we sent you.');
      }
      throw new DomainError('conflict', 'subscription.notPending', 'This address has left the list, so this link can no longer subscribe it. Subscribe again from the form if you want the news back.');
    },

    /** Checks that a link is genuine, current and of one of `purposes` without changing anything (for the GET
     *  pages); the purpose it was signed for. */
    async checkLink(token: string, purposes: TokenPurpose[]): Promise<TokenPurpose> {
      const claims = verify(token, purposes);
      if (claims.purpose === 'confirm' || claims.purpose === 'unsub') return claims.purpose; // no read: nonces / none
      return (await holderOf(token, [claims.purpose])).claims.purpose;
    },

    /** Whose "view in your browser" link this is, for that one edition: the language and choices their version is
     *  built from (as they are now). Changes nothing. */
    async viewerOf(token: string, editionId: string): Promise<Pick<SubscriberRecord, 'language' | 'countries' | 'topics'>> {
      const claims = verify(token, ['view'], editionId);
      const record = await store.get(claims.subscriberId);
      if (!record) throw noSubscription();
      const { language, countries, topics } = checkCurrent(record, claims);
      return { language, countries, topics };
    },

    async getPreferences(token: string): Promise<PreferencesView> {
      return view((await holderOf(token, ['prefs'])).record);
    },

    async updatePreferences(token: string, patch: Partial<Preferences> & { paused?: boolean; clickTracking?: boolean }): Promise<PreferencesView> {
      const claims = verify(token, ['prefs']);
      const checked = checkPreferences(patch.countries ?? [], patch.topics ?? []);
      const next = await mutateAs(claims, (r) => ({
        ...r,
        ...(patch.countries ? { countries: checked.countries } : {}),
        ...(patch.topics ? { topics: checked.topics } : {}),
        ...(patch.language ? { language: patch.language } : {}),
        ...(patch.frequency ? { frequency: patch.frequency } : {}),
        ...(patch.paused === undefined ? {} : { paused: patch.paused }),
        ...(patch.clickTracking === undefined ? {} : { clickTracking: patch.clickTracking }),
      }));
      return view(next);
    },

    /** Unsubscribes from everything, with an unsubscribe link or the preference link. Idempotent; an erased
     *  subscriber is already gone (no error for one-click). */
    async unsubscribe(token: string, options: { oneClick?: boolean } = {}): Promise<{ status: SubscriberStatus | 'erased'; left?: boolean }> {
      const done = await unsubscribeWith(token, options);
      return { status: done.status, ...(done.left ? { left: true } : {}) };
    },

    /** The one-click unsubscribe page: unsubscribes, and offers the undo that fits the link. An unsubscribe link
     *  gets a one-hour undo token that can only subscribe again (it opens nothing else: the link may have been
     *  forwarded); a preference link, the stronger one, gets its own preference centre back. */
    async unsubscribeByLink(
      token: string,
    ): Promise<{ status: SubscriberStatus | 'erased'; language?: Language; undoToken?: string; preferencesUrl?: string; left?: boolean }> {
      const done = await unsubscribeWith(token, { oneClick: true });
      if (!done.record) return { status: done.status };
      const language = done.record.language;
      const left = done.left;
      if (done.record.status !== 'unsubscribed') return { status: done.status, language };
      if (done.claims.purpose === 'prefs') return { status: done.status, language, preferencesUrl: preferencesUrl(settings.baseUrl, token), left };
      return { status: done.status, language, undoToken: signLink(done.record, 'undo', { secret: settings.secret, now: clock.now() }), left };
    },

    /** The undo button after a one-click unsubscribe: subscribes again with a new consent proof. */
    async undoUnsubscribe(undoToken: string, origin: RequestOrigin): Promise<{ status: SubscriberStatus }> {
      const claims = verify(undoToken, ['undo']);
      return { status: (await comeBack(claims, proof(origin, 'unsubscribe-undo'))).status };
    },

    /** Comes back after unsubscribing, from the person's own preference link (new consent proof). */
    async resubscribe(token: string, origin: RequestOrigin): Promise<PreferencesView> {
      const claims = verify(token, ['prefs']);
      return view(await comeBack(claims, proof(origin, 'preference-centre')));
    },

    /** Everything we hold about the person, as JSON. */
    async exportData(token: string) {
      return exportable((await holderOf(token, ['prefs'])).record);
    },

    /** Erases the record; only a salted hash of the address stays, in the suppression list. Every link of the
     *  subscriber dies with the record (a later sign-up gets a new id). Only the preference link may do this. */
    async eraseMe(token: string): Promise<void> {
      const claims = verify(token, ['prefs']);
      const record = await store.get(claims.subscriberId);
      if (!record) return;
      await store.erase(checkCurrent(record, claims), 'erased', clock.now());
      log('subscription.erased', { subscriberId: record.id });
    },

    /** "Revoke my links": withdraws every earlier preference link (and confirm or undo link) of the subscriber and
     *  answers with the one fresh preference link, for the holder's own session. Unsubscribe links keep working. */
    async revokeLinks(token: string): Promise<{ status: 'revoked'; preferencesUrl: string; preferencesToken: string }> {
      const claims = verify(token, ['prefs']);
      const next = await mutateAs(claims, revoke);
      log('subscription.linksRevoked', { subscriberId: next.id, by: 'subscriber' });
      const links = subscriberLinks(next, linkOptions());
      return { status: 'revoked', preferencesUrl: links.preferencesUrl, preferencesToken: links.prefsToken };
    },

    // ----------------------------------------------------------------------------------------------------------
    // Editor side
    // ----------------------------------------------------------------------------------------------------------

    async lookup(rawEmail: string) {
      const email = normaliseEmail(rawEmail);
      const record = await store.findByEmail(email);
      if (!record) throw notFound('subscriber.notFound', 'No subscriber has this address.');
      const status: SubscriberStatus = record.status === 'suppressed' || (await store.isSuppressed(email)) ? 'suppressed' : record.status;
      return { status, countries: record.countries, topics: record.topics, language: record.language, frequency: record.frequency };
    },

    async list(filter: SegmentFilter, options: { limit: number; cursor?: string }) {
      const out: SubscriberRecord[] = [];
      let cursor = options.cursor;
      do {
        const page = await store.listPage({ limit: Math.min(100, Math.max(options.limit, 25)), ...(cursor ? { cursor } : {}) });
        for (const r of page.subscribers) if (inSegment(r, filter)) out.push(r);
        cursor = page.cursor;
      } while (cursor && out.length < options.limit);
      // A page may overshoot the limit: return it whole so the cursor stays exact.
      return { subscribers: out.map(listed), ...(cursor ? { cursor } : {}) };
    },

    /** Subscribers whose address contains `part` (case-folded), the first `limit` of them, and how many match. */
    async search(part: string, options: { limit: number }) {
      const needle = part.trim().toLowerCase();
      const found: SubscriberRecord[] = [];
      let total = 0;
      let cursor: string | undefined;
      do {
        const page = await store.listPage({ limit: 100, ...(cursor ? { cursor } : {}) });
        for (const r of page.subscribers) {
          if (!needle || !r.email.includes(needle)) continue;
          total++;
          if (found.length < options.limit) found.push(r);
        }
        cursor = page.cursor;
      } while (cursor);
      return { subscribers: found.map(listed), total };
    },

    /** Suppressed subscribers with why and since when (erased addresses are only a hash, and are not listed). */
    async suppressed(options: { limit: number }) {
      const records: SubscriberRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listPage({ limit: 100, ...(cursor ? { cursor } : {}) });
        records.push(...page.subscribers.filter((r) => r.status === 'suppressed'));
        cursor = page.cursor;
      } while (cursor && records.length < options.limit);
      return Promise.all(
        records.slice(0, options.limit).map(async (r) => {
          const row = await store.suppressionOf(r.email);
          const at = row?.at ?? r.suppressedAt;
          return { email: r.email, reason: row?.reason ?? r.suppressedReason ?? 'bounce', ...(at ? { at } : {}) };
        }),
      );
    },

    /** Counts per country × topic: how many subscribers of the segment would receive an item tagged with both. */
    async counts(filter: Omit<SegmentFilter, 'country' | 'topic'>) {
      const { countryCodes, topicSlugs } = currentTaxonomy();
      let total = 0;
      const matrix = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await store.listPage({ limit: 100, ...(cursor ? { cursor } : {}) });
        for (const r of page.subscribers) {
          if (!inSegment(r, filter)) continue;
          total++;
          for (const c of r.countries.length ? r.countries : countryCodes) {
            for (const t of r.topics.length ? r.topics : topicSlugs) matrix.set(`${c}|${t}`, (matrix.get(`${c}|${t}`) ?? 0) + 1);
          }
        }
        cursor = page.cursor;
      } while (cursor);
      const cells = countryCodes.flatMap((country) => topicSlugs.map((topic) => ({ country, topic, count: matrix.get(`${country}|${topic}`) ?? 0 })));
      return { total, cells };
    },

    async importRows(rows: ImportRow[], options: { sendConfirmations: boolean }, origin: RequestOrigin): Promise<ImportReport> {
      const report: ImportReport = { received: rows.length, confirmed: 0, pending: 0, skippedExisting: 0, skippedSuppressed: 0, errors: [] };
      for (const [index, row] of rows.entries()) {
        try {
          const email = normaliseEmail(row.email);
          const checked = checkPreferences(row.countries ?? [], row.topics ?? []);
          if (await store.isSuppressed(email)) {
            report.skippedSuppressed++;
            continue;
          }
          const now = clock.now().toISOString();
          const withProof = row.consent !== undefined;
          if (withProof && Number.isNaN(Date.parse(row.consent!.at))) {
            throw invalid('import.invalidConsent', 'consent.at must be an ISO 8601 time.');
          }
          const record: SubscriberRecord = {
            id: deps.newId(),
            email,
            status: withProof ? 'confirmed' : 'pending',
            ...checked,
            language: row.language ?? 'es',
            frequency: row.frequency ?? 'instant',
            paused: false,
            createdAt: now,
            updatedAt: now,
            ...(withProof ? { confirmedAt: now } : {}),
            version: 1,
            consent: withProof
              ? {
                  imported: {
                    at: new Date(row.consent!.at).toISOString(),
                    ip: row.consent!.ip ?? '',
                    userAgent: row.consent!.userAgent ?? '',
                    wordingVersion: row.consent!.wordingVersion,
                    method: 'import',
                    ...(row.consent!.source ? { source: row.consent!.source } : {}),
                  },
                }
              : { requested: { ...proof(origin, 'import'), source: 'editor import without consent proof' } },
            origin: 'import',
          };
          if ((await store.create(record)) === 'exists') {
            report.skippedExisting++; // only the owner may change an existing subscription
            continue;
          }
          if (withProof) report.confirmed++;
          else {
            report.pending++;
            if (options.sendConfirmations) {
              try {
                await sendConfirmation(record, record.language);
              } catch (error) {
                // The subscriber stays pending; a resend (or the next import) can mail it later.
                report.errors.push({ row: index + 1, code: 'import.confirmationNotSent', message: `Imported as pending, but the confirmation email could not be sent (${(error as Error).name}); resend it later.` });
              }
            }
          }
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          report.errors.push({ row: index + 1, code: error.code, message: error.message });
        }
      }
      return report;
    },

    async exportAll() {
      const out: ReturnType<typeof exportable>[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listPage({ limit: 100, ...(cursor ? { cursor } : {}) });
        out.push(...page.subscribers.map(exportable));
        cursor = page.cursor;
      } while (cursor);
      return out;
    },

    async deleteByEmail(rawEmail: string): Promise<void> {
      const email = normaliseEmail(rawEmail);
      const record = await store.findByEmail(email);
      if (!record) throw notFound('subscriber.notFound', 'No subscriber has this address.');
      await store.erase(record, 'editor', clock.now());
    },

    /** An editor withdraws every earlier preference link of a subscriber (a link leaked, a shared mailbox); the one
     *  fresh link goes to the subscriber's address, never to the editor. */
    async revokeLinksByEmail(rawEmail: string): Promise<{ status: 'revoked' }> {
      const email = normaliseEmail(rawEmail);
      const record = await store.findByEmail(email);
      if (!record) throw notFound('subscriber.notFound', 'No subscriber has this address.');
      const next = await mutate(record.id, revoke);
      log('subscription.linksRevoked', { subscriberId: next.id, by: 'editor' });
      await mailer.send({
        from: settings.sender,
        to: next.email,
        ...linksRenewedEmail(next.language, subscriberLinks(next, linkOptions(next.language)).preferencesUrl),
        tags: { type: 'links-renewed', subscriber: next.id },
        ...(settings.configurationSet ? { configurationSet: settings.configurationSet } : {}),
      });
      return { status: 'revoked' };
    },

    /** Mails a suppressed address again, on an editor's word: who, when and why are kept with the suppression row
     *  and the subscriber (who becomes unsubscribed: the next mail they get is a confirmation they ask for). */
    async liftSuppression(rawEmail: string, reason: string, by: string): Promise<{ status: 'lifted'; previousReason: SuppressionReason }> {
      const email = normaliseEmail(rawEmail);
      const why = reason.trim();
      if (why.length < 3) throw invalid('suppression.reasonRequired', 'Say why the suppression is lifted (for example "mailbox fixed, confirmed by phone").');
      const lift = { at: clock.now().toISOString(), by, reason: why.slice(0, 500) };
      const previousReason = await store.liftSuppression(email, lift);
      if (!previousReason) throw notFound('suppression.notFound', 'This address is not suppressed.');
      const record = await store.findByEmail(email);
      if (record) {
        await mutate(record.id, (r) => ({
          ...r,
          ...(r.status === 'suppressed' ? { status: 'unsubscribed' as const } : {}),
          softBounces: 0,
          suppressionLifted: { ...lift, previousReason },
        }));
      }
      log('subscription.suppressionLifted', { to: maskEmail(email), previousReason, by });
      return { status: 'lifted', previousReason };
    },

    // ----------------------------------------------------------------------------------------------------------
    // SES feedback
    // ----------------------------------------------------------------------------------------------------------

    applyFeedback: createFeedbackRules({ store, clock, softBounceLimit: settings.softBounceLimit, log }).applyFeedback,
  };
}

/** SES feedback rules on their own: they sign nothing, so the feedback Lambda runs them without the signing secret. */
export function createFeedbackRules(deps: { store: SubscriberStore; clock: Clock; softBounceLimit: number; log: NonNullable<SubscriptionDeps['log']>; changed?: SubscriptionDeps['changed'] }) {
  const { store, clock, log } = deps;
  const changed = deps.changed ?? (async () => undefined);
  const settings = { softBounceLimit: deps.softBounceLimit };
  return {
    /** Hard bounce or complaint → suppressed at once; consecutive soft bounces counted (a delivery resets the count)
     *  and suppressed at the limit. An address
     *  we do not know is still put on the suppression list for hard bounces and complaints (it must never be
     *  mailed), and soft bounces for it are ignored. */
    async applyFeedback(events: SesEventSummary[]): Promise<FeedbackOutcome[]> {
      const outcomes: FeedbackOutcome[] = [];
      const now = clock.now();
      for (const event of events) {
        const base = { type: event.type, tags: event.tags };
        let reason: SuppressionReason | undefined;
        if (event.type === 'Delivery') {
          await store.resetSoftBounces(event.email);
          outcomes.push({ ...base, action: 'ignored' });
          continue;
        }
        if (event.type === 'Complaint') reason = 'complaint';
        else if (event.type === 'Bounce' && event.permanent) reason = 'bounce';
        else if (event.type === 'Bounce') {
          const counted = await store.countSoftBounce(event.email, now);
          if (!counted) {
            outcomes.push({ ...base, action: 'ignored' });
            continue;
          }
          if (counted.count < settings.softBounceLimit) {
            outcomes.push({ ...base, action: 'softBounceCounted', subscriberId: counted.subscriberId });
            continue;
          }
          reason = 'soft-bounces';
        }
        if (!reason) {
          outcomes.push({ ...base, action: 'ignored' });
          continue;
        }
        const done = await store.suppress(event.email, reason, now);
        log('subscription.suppressed', { reason, to: maskEmail(event.email), subscriberId: done.subscriberId });
        if (done.subscriberId) await changed('suppressed');
        outcomes.push({ ...base, action: 'suppressed', ...(done.subscriberId ? { subscriberId: done.subscriberId } : {}) });
      }
      return outcomes;
    },
  };
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;

function inSegment(r: SubscriberRecord, filter: SegmentFilter): boolean {
  if (filter.status && r.status !== filter.status) return false;
  if (filter.language && r.language !== filter.language) return false;
  if (filter.country && r.countries.length > 0 && !r.countries.includes(filter.country)) return false;
  if (filter.topic && r.topics.length > 0 && !r.topics.includes(filter.topic)) return false;
  return true;
}

/** What a subscriber sees of their own record in the preference centre. */
const view = (r: SubscriberRecord): PreferencesView => ({
  email: r.email,
  status: r.status,
  paused: r.paused,
  clickTracking: r.clickTracking !== false,
  countries: r.countries,
  topics: r.topics,
  language: r.language,
  frequency: r.frequency,
});

/** What an editor's list shows: the same, with the id and dates. */
const listed = (r: SubscriberRecord) => ({
  id: r.id,
  ...view(r),
  createdAt: r.createdAt,
  ...(r.confirmedAt ? { confirmedAt: r.confirmedAt } : {}),
});

function exportable(r: SubscriberRecord) {
  return {
    ...listed(r),
    updatedAt: r.updatedAt,
    origin: r.origin,
    consent: r.consent,
    ...(r.unsubscribedAt ? { unsubscribedAt: r.unsubscribedAt } : {}),
    ...(r.suppressedAt ? { suppressedAt: r.suppressedAt, suppressedReason: r.suppressedReason } : {}),
    ...(r.softBounces ? { softBounces: r.softBounces } : {}),
    clickCounting: {
      on: r.clickTracking !== false,
      keptAboutYou: 'Nothing per click. Clicks are added to totals per edition, item, language, country and topic; no record links a click to you.',
    },
  };
}
