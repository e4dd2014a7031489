// The subscriber as the rest of the domain sees it. Shared by subscriptions (which owns its lifecycle) and
// newsletters (which read confirmed subscribers to plan a send). Extend with optional fields; do not rename.
import type { CountryCode, TopicSlug } from './taxonomy.js';

export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed' | 'suppressed';
export type Language = 'es' | 'en';
export type Frequency = 'instant' | 'daily' | 'weekly';

export interface Subscriber {
  id: string;
  /** Case-folded address. Never logged in full. */
  email: string;
  status: SubscriberStatus;
  /** Empty = all countries. */
  countries: CountryCode[];
  /** Empty = all topics. */
  topics: TopicSlug[];
  language: Language;
  frequency: Frequency;
  paused: boolean;
  createdAt: string;
  updatedAt: string;
  confirmedAt?: string;
  version: number;
}

/** An item matches a subscriber when it shares a country with them (bloc-wide items carry every country) and shares
 *  a topic with them; empty preferences match everything. */
export function itemMatches(
  item: { countries: readonly string[]; topics: readonly string[] },
  prefs: { countries: readonly string[]; topics: readonly string[] },
): boolean {
  const countryOk = prefs.countries.length === 0 || item.countries.some((c) => prefs.countries.includes(c));
  const topicOk = prefs.topics.length === 0 || item.topics.some((t) => prefs.topics.includes(t));
  return countryOk && topicOk;
}
