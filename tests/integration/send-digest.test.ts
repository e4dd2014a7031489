// Automatic digests through the real pipeline: daily subscribers get the new items that match them, once per period.
import { afterEach, describe, expect, it } from 'vitest';
import { makeHandler as makeDigestHandler } from '../../lambdas/handlers/digest-schedule.js';
import { anItem, aSubscriber } from '../support/editions-fixtures.js';
import { sendHarness, type Harness } from '../support/send-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('digests', () => {
  it('daily subscribers get one digest of the new items matching them; nothing new means nothing sent', async () => {
    const h = (harness = await sendHarness());
    const recent = new Date(Date.now() - 3600_000).toISOString();
    await h.addItems([
      anItem({ id: 'dg-old', title: 'Old news', countries: ['cl'], publishedAt: new Date(Date.now() - 3 * 86400_000).toISOString() }),
      anItem({ id: 'dg-cl', title: 'Fresh Chile news', countries: ['cl'], topics: ['trade-investment'], publishedAt: recent }),
    ]);
    const at = (n: string) => `${n}@${h.domain}`;
    await h.addSubscribers([
      aSubscriber({ id: `${h.domain}-d1`, email: at('d1'), frequency: 'daily', language: 'es', countries: ['cl'] }),
      aSubscriber({ id: `${h.domain}-d2`, email: at('d2'), frequency: 'daily', countries: ['pe'] }),
      aSubscriber({ id: `${h.domain}-w1`, email: at('w1'), frequency: 'weekly' }),
      aSubscriber({ id: `${h.domain}-i1`, email: at('i1'), frequency: 'instant' }),
    ]);
    const digest = makeDigestHandler(h.app.planner);

    const first = await digest({ frequency: 'daily' });
    expect(first.created).toBe(true);
    expect(first.items).toBe(1);
    expect(first.plan).toMatchObject({ planned: 1, skipped: 1 });
    await h.settle();
    const again = await digest({ frequency: 'daily' }); // a retried or doubled run in the same period
    expect(again.editionId).toBe(first.editionId);
    await h.settle();

    const mails = await h.inbox();
    expect(mails.map((m) => m.destination.to[0])).toEqual([at('d1')]);
    expect(mails[0]!.subject).toMatch(/^Resumen diario de la Alianza del Pacífico/);
    expect(mails[0]!.body.text).toContain('Fresh Chile news');
    expect(mails[0]!.body.text).not.toContain('Old news');
    // A Spanish digest's links open Spanish pages: unsubscribe (body and header), preferences, view in browser.
    expect(mails[0]!.body.text).toMatch(/Darme de baja: https:\/\/\S+\/u\/[^\s?]+\?lang=es\b/);
    expect(mails[0]!.body.text).toMatch(/https:\/\/\S+\/preferences\/[^\s?]+\?lang=es\b/);
    expect(mails[0]!.body.text).toMatch(/https:\/\/\S+\/view\/[^\s?]+\?lang=es\b/);
    expect(mails[0]!.headers?.find((x) => x.name === 'List-Unsubscribe')?.value).toMatch(/\/u\/[^>?]+\?lang=es\b/);
    const view = (await (await h.api('GET', `/api/editions/${first.editionId}`)).json()) as { state: string; counts: Record<string, number> };
    expect(view).toMatchObject({ state: 'sent', counts: { planned: 1, sent: 1, skipped: 1 } });

    const weekly = await digest({ frequency: 'weekly' });
    expect(weekly.plan).toMatchObject({ planned: 1 });
    await h.settle();
    expect((await h.inbox()).filter((m) => m.destination.to.includes(at('w1')))).toHaveLength(1);
  });

  it('creates no digest when nothing is new since the last one', async () => {
    const h = (harness = await sendHarness());
    await h.addItems([anItem({ id: 'dg-stale', publishedAt: new Date(Date.now() - 5 * 86400_000).toISOString() })]);
    const digest = makeDigestHandler(h.app.planner);
    expect(await digest({ frequency: 'daily' })).toEqual({ created: false, items: 0 });
  });
});
