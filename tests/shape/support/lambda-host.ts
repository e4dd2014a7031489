// Runs one deployed function as Lambda would: its bundle copied out of cdk.out to a task directory, in its own
// process with exactly the template's environment plus what the Lambda runtime adds, credentials that name the
// function (so the AWS stand-ins know whose role to check) and every SDK client pointed at the stand-ins.
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { region, type DeployedFunction } from './assembly.js';

const runtime = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));

/** The endpoint variables of SDK v3 (AWS_ENDPOINT_URL_<serviceId, upper case, spaces as _>) for the services used. */
export const endpointVariables = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_ENDPOINT_URL_SES',
  'AWS_ENDPOINT_URL_SCHEDULER',
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  // Any other service reaches the stand-ins too, where it is recorded (and refused), never the internet.
  'AWS_ENDPOINT_URL',
];

export class InvocationError extends Error {
  override name = 'InvocationError';
}

export const accessKeyOf = (fn: DeployedFunction) => `LOCAL${fn.handler.replace(/-/g, '').toUpperCase()}`;

export class LambdaHost {
  private child?: ChildProcess;
  private readonly task: string;
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly waiting = new Map<number, (reply: { ok: boolean; result?: unknown; error?: { name: string; message: string; stack?: string } }) => void>();
  /** The function's log lines (JSON from Powertools), kept for failure messages. */
  readonly output: string[] = [];
  invocations = 0;

  constructor(
    readonly fn: DeployedFunction,
    private readonly awsEndpoint: string,
  ) {
    this.task = mkdtempSync(join(tmpdir(), `lambda-task-${fn.handler}-`));
    cpSync(fn.assetDir, this.task, { recursive: true });
  }

  private start(): ChildProcess {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...this.fn.env,
      // What the Lambda runtime adds.
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: this.fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: this.task,
      _HANDLER: `index.${this.fn.exportName}`,
      TZ: ':UTC',
      AWS_ACCESS_KEY_ID: accessKeyOf(this.fn),
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
      ...Object.fromEntries(endpointVariables.map((name) => [name, this.awsEndpoint])),
    };
    const child = fork(runtime, [], { cwd: this.task, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('message', (reply: { id: number; ok: boolean }) => this.waiting.get(reply.id)?.(reply));
    child.on('exit', (code) => {
      for (const resolve of this.waiting.values()) resolve({ ok: false, error: { name: 'Runtime.ExitError', message: `the process exited (${code})` } });
      this.waiting.clear();
      this.child = undefined;
    });
    return child;
  }

  /** One invocation at a time, as one instance takes them; rejects with the handler's error (and its last log lines). */
  invoke<T = unknown>(event: unknown): Promise<T> {
    const run = this.queue.then(() => this.invokeNow<T>(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async invokeNow<T>(event: unknown): Promise<T> {
    this.child ??= this.start();
    this.invocations++;
    const id = this.nextId++;
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const reply = await new Promise<{ ok: boolean; result?: unknown; error?: { name: string; message: string; stack?: string } }>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, error: { name: 'Sandbox.Timedout', message: `Task timed out after ${this.fn.timeoutSeconds} seconds` } }), timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(r);
      });
      this.child!.send({ id, event: JSON.parse(JSON.stringify(event)), deadline: Date.now() + timeoutMs });
    });
    if (reply.ok) return reply.result as T;
    const logs = this.output.slice(-8).join('\n  ');
    throw new InvocationError(`${this.fn.name} failed: ${reply.error?.name}: ${reply.error?.message}\n  ${logs}`);
  }

  stop(): void {
    this.child?.kill();
    rmSync(this.task, { recursive: true, force: true });
  }
}
