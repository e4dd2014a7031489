// The independent witness of a send: the test run's SES local, which outlives the service, read from outside over
// HTTP. Every fault test judges a send the same way: each recipient mailed exactly once, and the counts adding up.
export interface WitnessedEmail {
  destination: { to: string[] };
  headers?: Array<{ name: string; value: string }>;
}

export type SendCounts = Record<'planned' | 'sent' | 'skipped' | 'suppressed' | 'failed' | 'cancelled' | 'inDoubt' | 'queued', number>;

export const header = (m: WitnessedEmail, name: string) => m.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** Emails SES local holds for one edition. */
export async function witnessed(sesEndpoint: string, editionId: string): Promise<WitnessedEmail[]> {
  const store = (await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: WitnessedEmail[] };
  return store.emails.filter((e) => header(e, 'X-Edition-Id') === editionId);
}

/** Recipients mailed more than once, and recipients never mailed. */
export function judge(mails: WitnessedEmail[], expected: string[]) {
  const per = new Map<string, number>();
  for (const m of mails) for (const to of m.destination.to) per.set(to, (per.get(to) ?? 0) + 1);
  return { duplicates: [...per.values()].filter((n) => n > 1).length, losses: expected.filter((e) => !per.has(e)).length };
}

export const addsUp = (c: SendCounts) => c.sent + c.skipped + c.suppressed + c.failed + c.cancelled + c.inDoubt + c.queued === c.planned;
