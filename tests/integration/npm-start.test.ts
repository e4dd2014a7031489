// `npm start` as a new user runs it: its printed lines (the last names the Node it runs on), the seed items behind the
// API, a clean stop on SIGTERM with no engine left behind, and one clear line for a busy port.
import { describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { freePort } from '../../lambdas/local/engines.js';
import { lambdaRuntimeName } from '../../infra/node-runtime.js';

const root = new URL('../..', import.meta.url).pathname;

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lambdas/local/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!/^Node: .*\n/m.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { child, exited, ready, output: () => ({ stdout, stderr }) };
}

const javaChildrenOf = (pid: number) => {
  try {
    return execFileSync('pgrep', ['-P', String(pid), 'java'], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
};

describe('npm start', () => {
  it('prints its URLs and token, serves the seed news, and stops everything on SIGTERM', async () => {
    const port = await freePort();
    const run = start({ PORT: String(port), EDITOR_TOKEN: 'npm-start-test-token-0123', LOG_LEVEL: 'WARN' });
    await run.ready(90_000);
    const { stdout } = run.output();
    expect(stdout).toMatch(new RegExp(`^API: http://127\\.0\\.0\\.1:${port}$`, 'm'));
    expect(stdout).toMatch(/^Inbox: http:\/\/127\.0\.0\.1:\d+$/m);
    expect(stdout).toMatch(/^Editor token: npm-start-test-token-0123$/m);
    // The last line: the Node it runs on (the one `npm ci` installed, as this test runs under `npm test`).
    expect(stdout).toMatch(new RegExp(`^Node: ${process.version.replaceAll('.', '\\.')} \\(the Lambdas' runtime: ${lambdaRuntimeName}\\)$`, 'm'));

    const items = (await (await fetch(`http://127.0.0.1:${port}/api/items?limit=50`)).json()) as { items: Array<{ countries: string[]; topics: string[] }> };
    expect(items.items).toHaveLength(10);
    expect(items.items.every((i) => i.countries.length > 0)).toBe(true);
    const inbox = stdout.match(/^Inbox: (.*)$/m)![1]!;
    expect((await fetch(`${inbox}/health-check`)).status).toBe(200);
    expect(javaChildrenOf(run.child.pid!)).not.toBe('');

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(javaChildrenOf(run.child.pid!)).toBe('');
    await expect(fetch(`http://127.0.0.1:${port}/api/taxonomy`)).rejects.toThrow();
    await expect(fetch(`${inbox}/health-check`)).rejects.toThrow();
  }, 120_000);

  it('says in one line that the port is busy, and exits non-zero', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const run = start({ PORT: String(port) });
      expect(await run.exited).toBe(1);
      expect(run.output().stderr).toContain(`port ${port} on 127.0.0.1 is busy`);
      expect(run.output().stdout).not.toContain('API:');
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('says in one line that Java is missing, and exits non-zero', async () => {
    const run = start({ PORT: String(await freePort()), PATH: '/nonexistent' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toContain('Java was not found: DynamoDB Local needs Java 17');
    expect(run.output().stdout).not.toContain('API:');
  }, 60_000);
});
