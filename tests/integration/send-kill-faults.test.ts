// Fault injection on the whole service: `npm start` (lambdas/local/main.ts) with DATA_DIR, killed by itself at chosen
// points of a send through the test-only FAULT_KILL_AT hook (lambdas/local/fault-injection.ts), then started again
// with no help from an editor. The witness is the test run's SES local, which outlives every start and is read from
// outside: after each chain of faults the edition ends `sent`, every recipient holds exactly one email, and the counts
// add up. Each chain piles its faults onto one edition (the second start resumes what the first left, and is killed in
// turn), so a recovery that is itself interrupted is tried too. The recovery times printed feed the table in
// docs/newsletters.md (time from the restart's spawn to SES's first new acceptance for the edition).
import { describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort } from '../../lambdas/local/engines.js';
import { holders, sleep, startService, until } from '../support/npm-start.js';
import { addsUp, judge, witnessed, type SendCounts } from '../support/witness.js';

const people = 24;

async function chain() {
  const dataDir = mkdtempSync(join(tmpdir(), 'news-fault-'));
  const sesEndpoint = inject('sesEndpoint');
  const domain = `kill-${randomUUID().slice(0, 8)}.example.org`;
  const emails = Array.from({ length: people }, (_, i) => `k${i}@${domain}`);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    DATA_DIR: dataDir,
    SES_ENDPOINT: sesEndpoint,
    LOG_LEVEL: 'ERROR',
    SES_MAX_SEND_RATE: '10',
    SEND_CHUNK_SIZE: '4',
    SEND_IN_DOUBT_AFTER_SECONDS: '2',
    LOCAL_QUEUE_VISIBILITY_SECONDS: '1',
    LOCAL_QUEUE_MAX_RECEIVE_COUNT: '10',
  };
  const measured: Array<{ fault: string; readyS: number; resumedS?: number }> = [];
  const editions: string[] = [];
  let token = '';
  const editor = (method: string, path: string, body?: unknown) =>
    fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const mailed = async () => (await Promise.all(editions.map((id) => witnessed(sesEndpoint, id)))).reduce((n, m) => n + m.length, 0);
  const state = async (id: string) => ((await (await editor('GET', `/api/editions/${id}`)).json()) as { state: string }).state;
  const allSent = async () => (await Promise.all(editions.map(state))).every((s) => s === 'sent');
  const sendEdition = async () => {
    const { items } = (await (await fetch(`${api}/api/items?limit=3`)).json()) as { items: Array<{ id: string }> };
    const created = await editor('POST', '/api/editions', { subject: `Killed ${editions.length + 1}`, intro: 'Hello', itemIds: items.map((i) => i.id) });
    const { id } = (await created.json()) as { id: string };
    expect((await editor('POST', `/api/editions/${id}/send`, {})).status).toBe(202);
    editions.push(id);
  };

  /** One start. With a fault, it runs until the service kills itself: the editions left unfinished resume first, and
   *  if they finish without reaching the fault's point a new edition is sent to reach it. Without one, it runs until
   *  every edition is sent. Times the start (spawn to serving) and the resumption (spawn to SES's first new acceptance). */
  const run = async (fault: string | undefined, label: string) => {
    const signal = fault?.split(':')[2];
    const before = await mailed();
    const unfinished = before < editions.length * people;
    const began = Date.now();
    const service = startService({ ...env, ...(fault ? { FAULT_KILL_AT: fault } : {}) });
    const alive = () => service.child.exitCode === null && service.child.signalCode === null;
    let resumedAt: number | undefined;
    const watch = (async () => {
      while (unfinished && alive() && resumedAt === undefined) {
        if ((await mailed()) > before) resumedAt = Date.now();
        else await sleep(50);
      }
    })();
    token = await service.ready();
    const readyS = (Date.now() - began) / 1000;
    if (editions.length === 0) {
      const imported = await editor('POST', '/api/subscribers/import', { subscribers: emails.map((email) => ({ email, consent: { at: '2026-01-01T00:00:00Z', wordingVersion: 'v1' } })) });
      expect(await imported.json()).toMatchObject({ confirmed: people });
      await sendEdition();
    }
    if (fault) {
      // The fault fired, or everything is sent and the service idle: then only new work can reach the point.
      const fired = () => !alive() || service.stderr().includes('FAULT_KILL_AT:');
      const idle = await until('the fault, or every edition sent', async () => (fired() ? false : (await allSent().catch(() => false)) ? true : undefined), 90_000, 250);
      if (idle) await sendEdition();
      const exit = await Promise.race([service.exited, sleep(120_000).then(() => Promise.reject(new Error(`${fault}: the service did not exit:\n${service.stderr()}`)))]);
      expect(exit.signal ?? exit.code).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 0);
      await until('the engine on DATA_DIR to stop with its service', async () => (holders(dataDir) === '' ? true : undefined), 20_000);
    } else {
      await until('every edition sent', async () => ((await allSent()) ? true : undefined), 90_000, 250);
    }
    await watch;
    console.log(`${fault ?? 'no fault'}: served after ${readyS} s, ${fault ? 'killed itself' : 'finished'} after ${(Date.now() - began) / 1000} s`);
    if (unfinished) measured.push({ fault: label, readyS, resumedS: resumedAt && (resumedAt - began) / 1000 });
    return service;
  };

  try {
    // Killed while the first send is planned (its first chunk stored, not yet queued): nothing mailed yet. Each restart
    // then resumes what the last one left, and is itself killed at the next point: on its 3rd call to SES (claimed, SES
    // not asked), right after SES accepted its 3rd message (accepted, not recorded); then the same three with SIGTERM.
    const faults = ['planning:1:SIGKILL', 'afterClaim:3:SIGKILL', 'afterSes:3:SIGKILL', 'planning:1:SIGTERM', 'afterClaim:3:SIGTERM', 'afterSes:3:SIGTERM'];
    const said = (f: string) => { const [point, , sig] = f.split(':'); return `${sig === 'SIGKILL' ? 'kill -9' : 'SIGTERM'} ${{ planning: 'while planning', afterClaim: 'after a claim, before SES', afterSes: 'after SES accepted, before recording' }[point!]}`; };
    let previous = 'first start';
    for (const fault of faults) {
      await run(fault, previous);
      if (previous === 'first start') expect(await mailed()).toBe(0);
      previous = `restart after ${said(fault)}`;
    }
    const last = await run(undefined, previous);
    for (const id of editions) {
      const view = (await (await editor('GET', `/api/editions/${id}`)).json()) as { counts: SendCounts };
      const verdict = judge(await witnessed(sesEndpoint, id), emails);
      console.log(`fault chain, edition ${editions.indexOf(id) + 1} of ${editions.length}, ${people} recipients: ${JSON.stringify({ ...verdict, counts: view.counts })}`);
      expect(verdict).toEqual({ duplicates: 0, losses: 0 });
      expect(view.counts).toMatchObject({ planned: people, sent: people, inDoubt: 0, queued: 0 });
      expect(addsUp(view.counts)).toBe(true);
    }
    console.log(`fault chain timings: ${JSON.stringify(measured)}`);
    last.child.kill('SIGTERM');
    await last.exited;
  } finally {
    for (const pid of holders(dataDir).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('npm start killed at chosen points of a send (FAULT_KILL_AT), then started again', () => {
  it('kill -9 and SIGTERM while planning, after a claim before SES, after SES before recording: everyone mailed once, counts add up', chain, 600_000);
});
