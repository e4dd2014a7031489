// The deployed shape, run locally: every Lambda of the synthesized assembly in its own process with its template
// environment, the AWS stand-ins in front of DynamoDB Local and SES local, and the triggers the template wires
// (API Gateway routes, the SQS event source mapping, EventBridge schedules, SNS) played as AWS plays them.
import { randomUUID } from 'node:crypto';
import { createDocumentClient, ensureTable } from '../../../lambdas/adapters/dynamo/client.js';
import { Assembly, type DeployedFunction, type DeployedSchedule } from './assembly.js';
import { startAwsStandIns, type CreatedSchedule } from './aws-standins.js';
import { apiGatewayV2Event, snsEvent, sqsEvent, type HttpRequest } from './events.js';
import { denials, describeDenial, unusedGrants, unusedLeadingKeys, type AwsCall, type Grant, type Statement } from './iam.js';
import { accessKeyOf, LambdaHost } from './lambda-host.js';

export interface ShapeOptions {
  dynamoEndpoint: string;
  sesEndpoint: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
  /** For an assertion message: the body, and on a 5xx the function's last log lines (the app answers only "internal"). */
  why: string;
  json<T = any>(): T;
}

export const secrets = {
  editorToken: 'shape-editor-token-0123456789abcdef',
  signingSecret: 'shape-signing-secret-0123456789-abcdefghijklmnop',
  originVerify: 'shape-origin-verify-secret-value',
};

export async function startDeployedShape(options: ShapeOptions) {
  const hosts = new Map<string, LambdaHost>();
  const byAccessKey = new Map<string, string>();
  const hostOf = (nameOrArn: string) => {
    const host = [...hosts.values()].find((h) => h.fn.name === nameOrArn || h.fn.arn === nameOrArn);
    if (!host) throw new Error(`No deployed function ${nameOrArn}`);
    return host;
  };
  const parameters: Record<string, string> = {};
  const secretValues: Record<string, string> = {};
  const aws = await startAwsStandIns({
    dynamoEndpoint: options.dynamoEndpoint,
    sesEndpoint: options.sesEndpoint,
    parameters,
    secrets: secretValues,
    principalOf: (key) => byAccessKey.get(key) ?? `unknown credentials ${key}`,
    invoke: (target, payload) => hostOf(target).invoke(payload),
  });

  const probe = new Assembly({ sqsBaseUrl: aws.url });
  const tableIds = [...probe.templates.values()].flatMap((t) => Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table').map(([id]) => id));
  const tableName = `shape-${randomUUID().slice(0, 8)}`;
  const assembly = new Assembly({ sqsBaseUrl: aws.url, names: Object.fromEntries(tableIds.map((id) => [id, tableName])) });
  await ensureTable(createDocumentClient({ region: 'us-east-1', endpoint: options.dynamoEndpoint }), tableName);

  const functions = assembly.functions();
  for (const fn of functions) {
    hosts.set(fn.handler, new LambdaHost(fn, aws.url));
    byAccessKey.set(accessKeyOf(fn), fn.name);
    if (fn.env.EDITOR_TOKEN_PARAMETER) parameters[fn.env.EDITOR_TOKEN_PARAMETER] = secrets.editorToken;
    if (fn.env.SIGNING_SECRET_PARAMETER) parameters[fn.env.SIGNING_SECRET_PARAMETER] = secrets.signingSecret;
    if (fn.env.ORIGIN_VERIFY_SECRET_ARN) secretValues[fn.env.ORIGIN_VERIFY_SECRET_ARN] = secrets.originVerify;
  }
  const fn = (handler: string): DeployedFunction => {
    const host = hosts.get(handler);
    if (!host) throw new Error(`The assembly has no ${handler} function`);
    return host.fn;
  };
  const statementsOf = (principal: string): Statement[] => functions.find((f) => f.name === principal)?.statements ?? assembly.roleStatements(principal);
  const [sendSource] = assembly.eventSources();
  if (!sendSource) throw new Error('The assembly has no SQS event source mapping (the sender)');
  const deadLetters: Array<{ body: string; receiveCount: number }> = [];

  /** The HTTP function behind API Gateway, reached through CloudFront (origin secret and viewer address headers). */
  async function http(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; editor?: boolean; viewer?: string } = {}): Promise<HttpAnswer> {
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    const req: HttpRequest = {
      method,
      path,
      body,
      headers: {
        'user-agent': 'shape-test',
        'x-origin-verify': secrets.originVerify,
        'x-viewer-address': init.viewer ?? '203.0.113.9',
        ...(body !== undefined && typeof init.body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...(init.editor ? { authorization: `Bearer ${secrets.editorToken}` } : {}),
        ...init.headers,
      },
    };
    const unsubscribe = method === 'POST' ? /^\/u\/([^/?]+)/.exec(path) : null;
    const route = unsubscribe ? { routeKey: 'POST /u/{token}', pathParameters: { token: unsubscribe[1]! } } : { routeKey: '$default' };
    const out = await hosts.get('http-api')!.invoke<{ statusCode: number; headers?: Record<string, string>; cookies?: string[]; body?: string; isBase64Encoded?: boolean }>(apiGatewayV2Event(req, route));
    const text = out.isBase64Encoded ? Buffer.from(out.body ?? '', 'base64').toString('utf8') : (out.body ?? '');
    const why = out.statusCode >= 500 ? `${text}\n  ${hosts.get('http-api')!.output.slice(-4).join('\n  ')}` : text;
    return { status: out.statusCode, headers: out.headers ?? {}, cookies: out.cookies ?? [], body: text, why, json: () => JSON.parse(text) };
  }

  /**
   * The sender's event source mapping: batches of BatchSize, the batch's failures (ReportBatchItemFailures) back on
   * the queue, the rest deleted; a message received maxReceiveCount times goes to the dead-letter list. SQS's
   * visibility timeout is not waited for: a failed message is redelivered at once.
   */
  async function drainSendQueue(maxBatches = 200): Promise<{ batches: number; retried: number }> {
    const maxReceiveCount = assembly.maxReceiveCount(sendSource!.queueArn) ?? Infinity;
    const sender = hostOf(sendSource!.functionName);
    const record = (action: string) => aws.calls.push({ principal: sender.fn.name, action, resources: [sendSource!.queueArn], via: 'event source mapping' });
    let batches = 0;
    let retried = 0;
    record('sqs:GetQueueAttributes');
    for (;;) {
      await aws.idle();
      const queue = aws.queues.get(sendSource!.queueArn) ?? [];
      if (!queue.length) return { batches, retried };
      if (++batches > maxBatches) throw new Error(`The send queue did not drain in ${maxBatches} batches`);
      const batch = queue.splice(0, sendSource!.batchSize);
      for (const m of batch) m.receiveCount++;
      record('sqs:ReceiveMessage');
      let failed: Set<string>;
      try {
        const out = await sender.invoke<{ batchItemFailures?: Array<{ itemIdentifier: string }> }>(sqsEvent(sendSource!.queueArn, batch));
        failed = new Set(sendSource!.reportBatchItemFailures ? (out?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
      } catch {
        failed = new Set(batch.map((m) => m.messageId));
      }
      if (failed.size < batch.length) record('sqs:DeleteMessage');
      for (const m of batch.filter((m) => failed.has(m.messageId))) {
        retried++;
        if (m.receiveCount >= maxReceiveCount) deadLetters.push({ body: m.body, receiveCount: m.receiveCount });
        else queue.push(m);
      }
    }
  }

  /** EventBridge Scheduler firing a schedule: its role must allow invoking the target, which gets the Input as its event. */
  async function fireSchedule<T = unknown>(schedule: Pick<DeployedSchedule | CreatedSchedule, 'targetArn' | 'roleArn' | 'input'>): Promise<T> {
    aws.calls.push({ principal: schedule.roleArn, action: 'lambda:InvokeFunction', resources: [schedule.targetArn], via: 'EventBridge Scheduler' });
    return hostOf(schedule.targetArn).invoke<T>(JSON.parse(schedule.input));
  }

  function templateSchedule(name: string): DeployedSchedule {
    const found = assembly.schedules().find((s) => s.name.endsWith(name));
    if (!found) throw new Error(`The template has no schedule named …${name}`);
    return found;
  }

  return {
    assembly,
    functions,
    fn,
    aws,
    tableName,
    http,
    drainSendQueue,
    deadLetters,
    fireSchedule,
    templateSchedule,
    invoke: <T = unknown>(handler: string, event: unknown) => hosts.get(handler)!.invoke<T>(event),
    sns: (topicArn: string, message: unknown) => snsEvent(topicArn, message),
    /** Every recorded call its principal's role does not allow, as readable lines. */
    denials: () => denials(aws.calls, statementsOf).map(describeDenial),
    /** What each principal's role allows that no recorded call used. */
    unused(): Array<{ principal: string } & Grant> {
      const principals = [...functions.map((f) => f.name), ...new Set(aws.calls.map((c) => c.principal).filter((p) => p.startsWith('arn:aws:iam:')))];
      return principals.flatMap((principal) => unusedGrants(principal, statementsOf(principal), aws.calls).map((g) => ({ principal, ...g })));
    },
    /** Partition-key patterns each function's role may touch that no recorded call touched. */
    unusedPartitions: (): Array<{ principal: string; pattern: string }> =>
      functions.flatMap((f) => unusedLeadingKeys(f.name, f.statements, aws.calls).map(({ pattern }) => ({ principal: f.name, pattern }))),
    callsOf: (principal: string): AwsCall[] => aws.calls.filter((c) => c.principal === principal),
    async stop() {
      for (const host of hosts.values()) host.stop();
      await aws.stop();
    },
  };
}

export type DeployedShape = Awaited<ReturnType<typeof startDeployedShape>>;
