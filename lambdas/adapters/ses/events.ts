// SES feedback on the wire: SNS envelopes (`Records[].Sns.Message`) holding SES events as SES publishes them
// (configuration-set event publishing: `eventType`; identity notifications: `notificationType`). Parsed here into the
// core's per-recipient SesEventSummary, which the feedback handler applies to the suppression list and to edition stats.
import { foldEmail } from '../../core/subscriptions/links.js';
import type { SesEventSummary, SesEventType } from '../../core/subscriptions/model.js';

interface Recipient {
  emailAddress?: unknown;
}

const addressOf = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const angle = /<([^>]+)>/.exec(value);
  const address = foldEmail(angle?.[1] ?? value);
  return address.includes('@') ? address : undefined;
};

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const tagsOf = (mail: Record<string, unknown> | undefined): Record<string, string> => {
  const tags: Record<string, string> = {};
  const raw = mail?.tags;
  if (raw && typeof raw === 'object') {
    for (const [name, values] of Object.entries(raw as Record<string, unknown>)) {
      const first = Array.isArray(values) ? values[0] : values;
      if (typeof first === 'string') tags[name] = first;
    }
  }
  return tags;
};

const knownTypes = new Set<SesEventType>(['Bounce', 'Complaint', 'Delivery', 'Reject', 'Send', 'DeliveryDelay', 'Open', 'Click', 'RenderingFailure', 'Subscription']);

/** One summary per recipient of an SES event; [] for anything that is not an SES event (never throws). */
export function parseSesEvent(event: unknown): SesEventSummary[] {
  if (!event || typeof event !== 'object') return [];
  const e = event as Record<string, unknown>;
  const type = (e.eventType ?? e.notificationType) as SesEventType;
  if (!knownTypes.has(type)) return [];
  const mail = (e.mail && typeof e.mail === 'object' ? e.mail : undefined) as Record<string, unknown> | undefined;
  const base = {
    type,
    tags: tagsOf(mail),
    ...(typeof mail?.messageId === 'string' ? { messageId: mail.messageId } : {}),
  };
  const detail = (key: string) => (e[key] && typeof e[key] === 'object' ? (e[key] as Record<string, unknown>) : {});
  const at = (d: Record<string, unknown>) => (typeof d.timestamp === 'string' ? d.timestamp : typeof mail?.timestamp === 'string' ? mail.timestamp : undefined);
  const make = (addresses: unknown[], extra: Partial<SesEventSummary>, when?: string): SesEventSummary[] =>
    addresses
      .map(addressOf)
      .filter((a): a is string => a !== undefined)
      .map((email) => ({ ...base, email, ...(when ? { at: when } : {}), ...extra }));

  switch (type) {
    case 'Bounce': {
      const b = detail('bounce');
      const bounceType = typeof b.bounceType === 'string' ? b.bounceType : 'Undetermined';
      return make(
        list(b.bouncedRecipients).map((r) => (r as Recipient).emailAddress),
        { permanent: bounceType === 'Permanent', bounceType, ...(typeof b.bounceSubType === 'string' ? { bounceSubType: b.bounceSubType } : {}) },
        at(b),
      );
    }
    case 'Complaint': {
      const c = detail('complaint');
      return make(list(c.complainedRecipients).map((r) => (r as Recipient).emailAddress), {}, at(c));
    }
    case 'Delivery': {
      const d = detail('delivery');
      return make(list(d.recipients), {}, at(d));
    }
    default:
      return make(list(mail?.destination), {}, at(detail(type.charAt(0).toLowerCase() + type.slice(1))));
  }
}

/** SNS delivers each SES event as a JSON string in `Records[].Sns.Message`; returns the parsed messages, skipping
 *  anything that is not JSON. */
export function sesEventsFromSns(event: unknown): unknown[] {
  const records = list((event as { Records?: unknown } | undefined)?.Records);
  const out: unknown[] = [];
  for (const record of records) {
    const message = (record as { Sns?: { Message?: unknown } }).Sns?.Message;
    if (typeof message !== 'string') continue;
    try {
      out.push(JSON.parse(message));
    } catch {
      // not an SES event: ignored (the handler logs the count of skipped records)
    }
  }
  return out;
}

/** Every recipient summary of an SNS delivery; `skipped` counts records that held no SES event. */
export function sesSummariesFromSns(event: unknown): { records: number; skipped: number; summaries: SesEventSummary[] } {
  const messages = sesEventsFromSns(event);
  const records = list((event as { Records?: unknown } | undefined)?.Records).length;
  const summaries: SesEventSummary[] = [];
  let skipped = records - messages.length;
  for (const message of messages) {
    const found = parseSesEvent(message);
    if (found.length === 0) skipped++;
    summaries.push(...found);
  }
  return { records, skipped, summaries };
}
