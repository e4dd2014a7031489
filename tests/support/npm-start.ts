// `npm start` as a child process (lambdas/local/main.ts, as `npm start` runs it), for the tests that stop and start
// the service: its output, its exit, and the editor token it prints once it serves.
import { spawn, execFileSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startService(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lambdas/local/main.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = async () => {
    const deadline = Date.now() + 90_000;
    while (!/^Editor token: /m.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start did not come up:\n${stdout}\n${stderr}`);
      await sleep(100);
    }
    return stdout.match(/^Editor token: (.*)$/m)![1]!;
  };
  return { child, exited, ready, stderr: () => stderr };
}

/** Pids of processes whose command line names the folder (DynamoDB Local's -dbPath). */
export const holders = (dir: string) => {
  try {
    return execFileSync('pgrep', ['-f', dir], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
};

/** Polls until `probe` gives a value; generous timeouts, as the test machine may be busy. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
