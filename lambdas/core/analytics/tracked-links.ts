// The send side of click counting: a recipient's message with its item and archive links turned into signed click
// links, and its unsubscribe and preference links marked with the edition (so a leave can be credited to it). Works on
// the message as built (after the merge), so the template and the merge know nothing about it. A subscriber who turned
// click counting off, or CLICK_TRACKING=off, gets the source's links as they are.
import { randomBytes } from 'node:crypto';
import { decodeHTMLAttribute } from 'entities';
import type { OutgoingEmail } from '../shared/ports.js';
import { escapeHtml } from '../shared/text.js';
import type { Subscriber } from '../subscriptions/model.js';
import { archiveRef, clickUrl, signClickToken, type Segment } from './click-token.js';

/** The links a content group may carry: URL → item id (or 'archive'). Kept with the compiled group. */
export type TrackableLinks = Record<string, string>;

export function trackableLinks(items: ReadonlyArray<{ id: string; link: string }>, archiveUrl: string): TrackableLinks {
  const links: TrackableLinks = { [archiveUrl]: archiveRef };
  for (const item of items) links[item.link] ??= item.id;
  return links;
}

export interface ClickTrackingSettings {
  enabled: boolean;
  publicBaseUrl: string;
  secret: string;
}

export const segmentOf = (subscriber: Pick<Subscriber, 'language' | 'countries' | 'topics'>): Segment => ({
  language: subscriber.language,
  countries: [...subscriber.countries],
  topics: [...subscriber.topics],
});

/** `?e=<edition>` on an unsubscribe or preference link: which edition's link a leave came from (not signed: at worst
 *  someone leaving credits their own leave to another edition). */
export const withEdition = (url: string, editionId: string) => `${url}${url.includes('?') ? '&' : '?'}e=${encodeURIComponent(editionId)}`;

const hrefs = /href="([^"]*)"/g;
const textUrls = /https?:\/\/[^\s<>"]+/g;
const unescapeHref = (value: string) => decodeHTMLAttribute(value);

export function createClickTracking(settings: ClickTrackingSettings) {
  return {
    /** The message as this recipient gets it. `links` are the subscriber's own unsubscribe and preference URLs. */
    apply(
      email: OutgoingEmail,
      context: { editionId: string; subscriber: Subscriber; trackable?: TrackableLinks; links: { unsubscribeUrl: string; preferencesUrl: string }; now: Date },
    ): OutgoingEmail {
      const replacements = new Map<string, string>();
      replacements.set(context.links.unsubscribeUrl, withEdition(context.links.unsubscribeUrl, context.editionId));
      replacements.set(context.links.preferencesUrl, withEdition(context.links.preferencesUrl, context.editionId));
      if (settings.enabled && context.subscriber.clickTracking !== false && context.trackable) {
        const claims = { editionId: context.editionId, segment: segmentOf(context.subscriber), sentAt: context.now, readerNonce: randomBytes(9).toString('base64url') };
        for (const [url, itemRef] of Object.entries(context.trackable)) {
          replacements.set(url, clickUrl(settings.publicBaseUrl, signClickToken({ ...claims, itemRef }, settings.secret)));
        }
      }
      const html = email.html.replace(hrefs, (whole, value: string) => {
        const next = replacements.get(unescapeHref(value));
        return next === undefined ? whole : `href="${escapeHtml(next)}"`;
      });
      const text = email.text.replace(textUrls, (url) => replacements.get(url) ?? url);
      const unsubscribe = replacements.get(context.links.unsubscribeUrl)!;
      const headers = email.headers?.map((h) => (h.value.includes(context.links.unsubscribeUrl) ? { ...h, value: h.value.replace(context.links.unsubscribeUrl, unsubscribe) } : h));
      return { ...email, html, text, ...(headers ? { headers } : {}) };
    },
  };
}

export type ClickTracking = ReturnType<typeof createClickTracking>;
