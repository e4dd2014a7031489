// send.recovery_s: `npm start` (DATA_DIR; 2 s visibility and a 5 s in-doubt bound, so that the bench ends in minutes) killed with kill -9 mid-send and started again; the
// time from the restart's spawn to SES local's first new acceptance for the edition. Beside it, the same service's cold
// start to the first acceptance of a new send: what a restart costs anyway. SES local runs outside the service.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngines, freePort } from '../lambdas/local/engines.js';
import { holders, startService, until } from '../tests/support/npm-start.js';
import { judge, witnessed } from '../tests/support/witness.js';
import type { Figures } from './run.js';

export async function run(): Promise<Figures> {
  const engines = await startEngines({ startTimeoutMs: 60_000 });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-recovery-'));
  const people = 60;
  const emails = Array.from({ length: people }, (_, i) => `r${i}@recovery.bench.example`);
  try {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATA_DIR: dataDir, SES_ENDPOINT: engines.sesEndpoint, LOG_LEVEL: 'ERROR', SES_MAX_SEND_RATE: '10', SEND_CHUNK_SIZE: '5', SEND_IN_DOUBT_AFTER_SECONDS: '5', LOCAL_QUEUE_VISIBILITY_SECONDS: '2' };
    const cold = Date.now();
    const first = startService(env);
    const token = await first.ready();
    const editor = (method: string, path: string, body?: unknown) =>
      fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    await editor('POST', '/api/subscribers/import', { subscribers: emails.map((email) => ({ email, consent: { at: '2026-01-01T00:00:00Z', wordingVersion: 'v1' } })) });
    const { items } = (await (await fetch(`${api}/api/items?limit=3`)).json()) as { items: Array<{ id: string }> };
    const { id } = (await (await editor('POST', '/api/editions', { subject: 'Recovery bench', itemIds: items.map((i) => i.id) })).json()) as { id: string };
    await editor('POST', `/api/editions/${id}/send`, {});
    const mailed = async () => (await witnessed(engines.sesEndpoint, id)).length;
    await until('the first email', async () => ((await mailed()) > 0 ? true : undefined), 120_000, 20);
    const coldS = (Date.now() - cold) / 1000;
    await until('a third of the send', async () => ((await mailed()) >= people / 3 ? true : undefined), 120_000, 20);
    first.child.kill('SIGKILL');
    await first.exited;
    await until('the engine to stop', async () => (holders(dataDir) === '' ? true : undefined), 30_000);
    const before = await mailed();
    const restart = Date.now();
    const second = startService(env);
    await until('SES to accept again', async () => ((await mailed()) > before ? true : undefined), 600_000, 20);
    const recoveryS = (Date.now() - restart) / 1000;
    await second.ready();
    const state = async () => ((await (await editor('GET', `/api/editions/${id}`)).json()) as { state: string }).state;
    await until('the edition sent', async () => ((await state()) === 'sent' ? true : undefined), 1_200_000, 500);
    const verdict = judge(await witnessed(engines.sesEndpoint, id), emails);
    second.child.kill('SIGTERM');
    await second.exited;
    return {
      'send.recovery_s': {
        value: Math.round(recoveryS * 10) / 10,
        unit: 's',
        vs: `kill -9 at a third of ${people} recipients (2 s visibility: chunks received before the kill wait that long); a cold start to its first email of a new send took ${coldS.toFixed(1)} s; after recovery ${verdict.duplicates} duplicates, ${verdict.losses} losses`,
      },
    };
  } finally {
    for (const pid of holders(dataDir).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    await engines.stop();
  }
}
