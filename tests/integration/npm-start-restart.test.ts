// `npm start` with DATA_DIR survives being killed: after `kill -9` mid-send no engine is left on DATA_DIR, and the next
// start finishes the send (chunks received but not deleted come back), fires a schedule whose time passed while it was
// down, and keeps the editor token and signing secret (links already mailed still work). Emails are witnessed by the
// test run's SES local, which outlives every start. (Taking over an engine left behind: tests/unit/engine-lock.test.ts.)
import { describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort } from '../../lambdas/local/engines.js';
import { startService as start, holders, until } from '../support/npm-start.js';

interface StoredEmail {
  destination: { to: string[] };
  headers?: Array<{ name: string; value: string }>;
}

describe('npm start with DATA_DIR, killed and started again', () => {
  it('resumes the send, fires the missed schedule, keeps links working, and leaves no engine behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'news-data-'));
    const sesEndpoint = inject('sesEndpoint');
    const domain = `restart-${randomUUID().slice(0, 8)}.example.org`;
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      DATA_DIR: dataDir,
      SES_ENDPOINT: sesEndpoint,
      LOG_LEVEL: 'ERROR',
      SES_MAX_SEND_RATE: '8',
      SEND_CHUNK_SIZE: '5',
      SEND_IN_DOUBT_AFTER_SECONDS: '2',
      LOCAL_QUEUE_VISIBILITY_SECONDS: '1',
      LOCAL_QUEUE_MAX_RECEIVE_COUNT: '10',
    };
    const header = (m: StoredEmail, name: string) => m.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
    const inbox = async () => {
      const store = (await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: StoredEmail[] };
      return store.emails.filter((e) => e.destination.to.some((to) => to.endsWith(`@${domain}`)));
    };
    const emails = Array.from({ length: 30 }, (_, i) => `r${i}@${domain}`);
    try {
      const first = start(env);
      const token = await first.ready();
      expect(statSync(join(dataDir, 'local-secrets.json')).mode & 0o777).toBe(0o600);
      const editor = (method: string, path: string, body?: unknown) =>
        fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

      const imported = await editor('POST', '/api/subscribers/import', { subscribers: emails.map((email) => ({ email, consent: { at: '2026-01-01T00:00:00Z', wordingVersion: 'v1' } })) });
      expect(await imported.json()).toMatchObject({ confirmed: emails.length });
      const { items } = (await (await fetch(`${api}/api/items?limit=3`)).json()) as { items: Array<{ id: string }> };
      const edition = async (subject: string) => {
        const created = await editor('POST', '/api/editions', { subject, intro: 'Hello', itemIds: items.map((i) => i.id) });
        expect(created.status).toBe(201);
        return ((await created.json()) as { id: string }).id;
      };
      const now = await edition('Sent now');
      const later = await edition('Sent later');
      expect((await editor('POST', `/api/editions/${now}/send`, {})).status).toBe(202);

      // Early in the send (8 a second: about 3 s left): schedule the second edition for a moment the service will miss, and kill.
      await until('the first emails', async () => ((await inbox()).length >= 5 ? true : undefined), 30_000);
      expect((await editor('POST', `/api/editions/${later}/send`, { at: new Date(Date.now() + 5000).toISOString() })).status).toBe(202);
      const beforeKill = await inbox();
      first.child.kill('SIGKILL');
      await first.exited;
      await until('DynamoDB Local to stop with its service', async () => (holders(dataDir) === '' ? true : undefined), 15_000);
      expect(beforeKill.length).toBeLessThan(emails.length);

      const second = start(env);
      expect(await second.ready()).toBe(token);
      const state = async (id: string) => ((await (await editor('GET', `/api/editions/${id}`)).json()) as { state: string }).state;
      await until('both editions sent', async () => ((await state(now)) === 'sent' && (await state(later)) === 'sent' ? true : undefined), 60_000);
      const mails = await inbox();
      for (const id of [now, later]) {
        const to = mails.filter((m) => header(m, 'X-Edition-Id') === id).flatMap((m) => m.destination.to).sort();
        expect(to).toEqual([...emails].sort()); // everyone, once
      }
      // A link mailed by the first run still opens the unsubscribe page.
      const link = header(beforeKill[0]!, 'List-Unsubscribe')!.match(/<(https?:[^>]+)>/)![1]!;
      expect((await fetch(link)).status).toBe(200);

      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
      expect(holders(dataDir)).toBe('');
    } finally {
      for (const pid of holders(dataDir).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
