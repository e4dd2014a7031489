// Evidence of what SES accepted, from aws-ses-v2-local's store (`GET /store`): the local stand-in for SES send events.
// Messages are matched to delivery claims by the `X-Edition-Id` and `X-Subscriber-Id` headers every newsletter
// carries (the local store drops EmailTags but keeps Simple-content headers). In AWS, use the DynamoDB evidence fed by
// SES Send events (adapters/dynamo/editions.ts, createDynamoSendEvidence).
import type { SendEvidence } from '../../core/editions/ports.js';

interface StoredEmail {
  messageId: string;
  at: number;
  headers?: Array<{ name: string; value: string }>;
}

export function createSesLocalEvidence(sesEndpoint: string): SendEvidence {
  return {
    async accepted(editionId, subscriberIds, since) {
      const wanted = new Set(subscriberIds);
      const sinceSeconds = Math.max(0, Math.floor(since.getTime() / 1000) - 1);
      const res = await fetch(`${sesEndpoint.replace(/\/+$/, '')}/store?since=${sinceSeconds}`);
      if (!res.ok) throw new Error(`SES local store answered ${res.status}; cannot reconcile claims in doubt.`);
      const store = (await res.json()) as { emails: StoredEmail[] };
      const found = new Map<string, string>();
      for (const email of store.emails) {
        const header = (name: string) => email.headers?.find((h) => h.name.toLowerCase() === name)?.value;
        if (header('x-edition-id') !== editionId) continue;
        const subscriberId = header('x-subscriber-id');
        if (subscriberId && wanted.has(subscriberId)) found.set(subscriberId, email.messageId);
      }
      return found;
    },
  };
}
