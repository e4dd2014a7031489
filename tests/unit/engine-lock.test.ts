// The lock in DATA_DIR: an engine left there by a run that is gone is stopped; a service still running keeps it.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir, DataDirBusyError } from '../../lambdas/local/engine-lock.js';

/** A long-lived process whose command line reads as given (DynamoDB Local's jar, or a node service). */
const lingering = (...label: string[]) => spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', ...label], { stdio: 'ignore' });
const deadPid = () => {
  const child = spawn(process.execPath, ['-e', '']);
  return new Promise<number>((resolve) => child.once('exit', () => resolve(child.pid!)));
};

describe('engine lock in DATA_DIR', () => {
  it('stops a DynamoDB Local whose service is gone, then holds the folder until released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const engine = lingering('DynamoDBLocal.jar');
    const stopped = new Promise((resolve) => engine.once('exit', resolve));
    try {
      writeFileSync(join(dir, 'engine.lock'), JSON.stringify({ servicePid: await deadPid(), enginePid: engine.pid }));
      const lock = await lockDataDir(dir);
      await stopped;
      lock.engineStarted(4242);
      expect(JSON.parse(readFileSync(join(dir, 'engine.lock'), 'utf8'))).toEqual({ servicePid: process.pid, enginePid: 4242 });
      lock.release();
      expect(existsSync(join(dir, 'engine.lock'))).toBe(false);
    } finally {
      engine.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses in one line while the service that holds it still runs, and leaves its engine alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const service = lingering('lambdas/local/main.ts');
    const engine = lingering('DynamoDBLocal.jar');
    try {
      writeFileSync(join(dir, 'engine.lock'), JSON.stringify({ servicePid: service.pid, enginePid: engine.pid }));
      const refused = await lockDataDir(dir).catch((error: Error) => error);
      expect(refused).toBeInstanceOf(DataDirBusyError);
      expect((refused as Error).message).toBe(`DATA_DIR ${dir} is in use by another running service (pid ${service.pid}); stop it first, or choose another DATA_DIR.`);
      expect(engine.exitCode).toBeNull();
    } finally {
      service.kill('SIGKILL');
      engine.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
