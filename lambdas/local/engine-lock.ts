// Keeps DynamoDB Local from outliving `npm start`, and one engine per DATA_DIR.
//
// - A watchdog beside the Java child: a POSIX shell that reads a pipe from this process and, when the pipe reaches
//   EOF, stops the engine. The kernel closes the pipe however this process ends, `kill -9` included, so the engine
//   goes with it. Java cannot be given a parent-death signal (prctl is Linux-only and out of Node's reach), and
//   DynamoDB Local never reads its stdin, so the pipe has to end somewhere else: `sh` is on Linux and macOS alike, and
//   its `read` builtin needs no extra process. Java stays our direct child, as `pgrep -P` expects.
// - A lock file in DATA_DIR naming this process and its engine: the next start stops an engine an earlier run left
//   behind (its service gone), or refuses in one line while that service still runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
}

interface LockRecord {
  servicePid: number;
  enginePid?: number;
}

const watchdogScript = 'while read -r _; do :; done; kill -TERM "$1" 2>/dev/null; sleep 5; kill -KILL "$1" 2>/dev/null';

/** Starts the watchdog for a running engine; call `release()` once the engine has stopped. */
export function watchEngine(engine: ChildProcess): { release(): void } {
  const watchdog = spawn('sh', ['-c', watchdogScript, 'engine-watchdog', String(engine.pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  const release = () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL'); // killed in `read`: it does nothing
  };
  engine.once('exit', release); // an engine that died on its own: its pid must not be killed later
  return { release };
}

/** The command line of a live process, or undefined if there is none with that pid. */
function commandOf(pid: number): string | undefined {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 ? ps.stdout.trim() : undefined;
}

async function stopProcess(pid: number): Promise<void> {
  const alive = () => commandOf(pid) !== undefined;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; alive() && waited < 5000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
}

/**
 * Takes DATA_DIR for this process: stops a DynamoDB Local an earlier run left there, or throws DataDirBusyError if
 * the service that started it still runs. `engineStarted` records the engine's pid; `release` removes the lock.
 */
export async function lockDataDir(dataDir: string): Promise<{ engineStarted(pid: number): void; release(): void }> {
  const path = join(dataDir, 'engine.lock');
  let earlier: LockRecord | undefined;
  try {
    earlier = JSON.parse(readFileSync(path, 'utf8')) as LockRecord;
  } catch {
    earlier = undefined; // none, or unreadable: nothing to take over
  }
  if (earlier && earlier.servicePid !== process.pid) {
    const service = commandOf(earlier.servicePid);
    if (service?.includes('lambdas/local/main')) {
      throw new DataDirBusyError(`DATA_DIR ${dataDir} is in use by another running service (pid ${earlier.servicePid}); stop it first, or choose another DATA_DIR.`);
    }
    const engine = earlier.enginePid ? commandOf(earlier.enginePid) : undefined;
    if (earlier.enginePid && engine?.includes('DynamoDBLocal')) {
      console.error(`(stopping DynamoDB Local pid ${earlier.enginePid}, left on ${dataDir} by an earlier run)`);
      await stopProcess(earlier.enginePid);
    }
  }
  const record: LockRecord = { servicePid: process.pid };
  const write = () => writeFileSync(path, JSON.stringify(record) + '\n');
  write();
  return {
    engineStarted(pid) {
      record.enginePid = pid;
      write();
    },
    release() {
      try {
        if ((JSON.parse(readFileSync(path, 'utf8')) as LockRecord).servicePid === process.pid) rmSync(path);
      } catch {
        // already gone
      }
    },
  };
}
