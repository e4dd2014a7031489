// One local endpoint for every AWS service the bundles call (each function's SDK reaches it through the
// service-specific AWS_ENDPOINT_URL_* variables). It records each call as IAM sees it (principal from the access key,
// service from the SigV4 credential scope, action, resource ARNs), forwards DynamoDB to DynamoDB Local and SESv2 to
// aws-ses-v2-local, and answers SQS, SSM, Secrets Manager, EventBridge Scheduler and Lambda Invoke itself with
// stand-ins that keep the contracts the code uses.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { account, region } from './assembly.js';
import type { AwsCall } from './iam.js';

export interface QueuedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
}

export interface CreatedSchedule {
  arn: string;
  name: string;
  group: string;
  expression: string;
  targetArn: string;
  roleArn: string;
  input: string;
  createdBy: string;
}

export interface StandInOptions {
  dynamoEndpoint: string;
  sesEndpoint: string;
  /** SSM SecureString values by parameter name. */
  parameters: Record<string, string>;
  /** Secrets Manager values by secret ARN. */
  secrets: Record<string, string>;
  /** Who signed with this access key id (the function's name). */
  principalOf: (accessKeyId: string) => string;
  /** Lambda Invoke: the target's result (RequestResponse), or started and not awaited (Event). */
  invoke: (functionName: string, payload: unknown, caller: string) => Promise<unknown>;
}

export class StandInError extends Error {
  override name = 'StandInError';
}

const arnOfQueueUrl = (url: string) => {
  const [owner, name] = new URL(url).pathname.split('/').filter(Boolean);
  return `arn:aws:sqs:${region}:${owner}:${name}`;
};
const tableArn = (table: string, index?: string) => `arn:aws:dynamodb:${region}:${account}:table/${table}${index ? `/index/${index}` : ''}`;
const functionArn = (nameOrArn: string) => (nameOrArn.startsWith('arn:') ? nameOrArn : `arn:aws:lambda:${region}:${account}:function:${nameOrArn}`);
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
const json = (body: unknown, status = 200): Answer => ({ status, body, headers: { 'content-type': 'application/x-amz-json-1.1' } });
const awsError = (type: string, message: string, status = 400): Answer => json({ __type: type, message }, status);

export async function startAwsStandIns(options: StandInOptions) {
  const calls: AwsCall[] = [];
  const queues = new Map<string, QueuedMessage[]>();
  const schedules: CreatedSchedule[] = [];
  const pendingInvokes = new Set<Promise<unknown>>();
  const asyncFailures: Array<{ target: string; error: unknown }> = [];

  const record = (principal: string, action: string, resources: string[], context?: AwsCall['context']) => calls.push({ principal, action, resources, ...(context ? { context } : {}) });

  async function forward(target: string, req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => k !== 'host' && k !== 'connection' && typeof v === 'string')) as Record<string, string>;
    const out = await fetch(`${target}${req.url}`, { method: req.method, headers, ...(body.length ? { body: new Uint8Array(body) } : {}) });
    const headersOut: Record<string, string> = {};
    out.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'content-encoding') headersOut[k] = v;
    });
    res.writeHead(out.status, headersOut).end(Buffer.from(await out.arrayBuffer()));
  }

  // The partition keys a request touches, as IAM's dynamodb:LeadingKeys sees them: every item's key of a write or
  // batch, a table query's `pk = :v`. A query on an index or a scan carries none (the key is absent).
  const pkOf = (key: any): string[] => (key?.pk?.S !== undefined ? [key.pk.S as string] : []);
  const leadingKeys = (values: string[]) => (values.length ? { 'dynamodb:LeadingKeys': [...new Set(values)] } : undefined);
  function queriedPartition(input: any): string[] {
    const ref = /(?:^|\s|\()pk\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '')?.[1];
    return ref ? pkOf({ pk: input.ExpressionAttributeValues?.[ref] }) : [];
  }

  function dynamoCalls(principal: string, operation: string, input: any) {
    const itemOps: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
    if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
      // IAM authorises each item operation of a transaction on its own table.
      for (const item of input.TransactItems ?? []) {
        const [kind, op] = Object.entries(item)[0] as [string, { TableName: string; Key?: unknown; Item?: unknown }];
        record(principal, `dynamodb:${itemOps[kind]}`, [tableArn(op.TableName)], leadingKeys(pkOf(op.Key ?? op.Item)));
      }
    } else if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
      for (const [table, request] of Object.entries<any>(input.RequestItems ?? {})) {
        const keys: unknown[] = operation === 'BatchGetItem' ? request.Keys ?? [] : request.map((w: any) => w.PutRequest?.Item ?? w.DeleteRequest?.Key);
        record(principal, `dynamodb:${operation}`, [tableArn(table)], leadingKeys(keys.flatMap(pkOf)));
      }
    } else if (operation === 'Query' && !input.IndexName) {
      record(principal, 'dynamodb:Query', [tableArn(input.TableName)], leadingKeys(queriedPartition(input)));
    } else {
      record(principal, `dynamodb:${operation}`, [tableArn(input.TableName, input.IndexName)], leadingKeys(pkOf(input.Key ?? input.Item)));
    }
  }

  function sqs(principal: string, operation: string, input: any): Answer {
    const queueArn = arnOfQueueUrl(input.QueueUrl);
    // IAM has no batch actions: SendMessageBatch is authorised as sqs:SendMessage.
    record(principal, `sqs:${operation.replace(/Batch$/, '')}`, [queueArn]);
    const queue = queues.get(queueArn) ?? [];
    queues.set(queueArn, queue);
    const enqueue = (body: string) => {
      const messageId = randomUUID();
      queue.push({ messageId, body, receiveCount: 0, sentAt: Date.now() });
      return { MessageId: messageId, MD5OfMessageBody: md5(body) };
    };
    if (operation === 'SendMessage') return json(enqueue(input.MessageBody));
    if (operation === 'SendMessageBatch') {
      if ((input.Entries ?? []).length > 10) return awsError('AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'at most 10 entries');
      return json({ Successful: input.Entries.map((e: { Id: string; MessageBody: string }) => ({ Id: e.Id, ...enqueue(e.MessageBody) })), Failed: [] });
    }
    return awsError('UnsupportedOperation', `The SQS stand-in does not answer ${operation}`);
  }

  function scheduler(principal: string, method: string, path: string, input: any, query: URLSearchParams): Answer {
    const name = decodeURIComponent(path.split('/')[2] ?? '');
    const group = input?.GroupName ?? query.get('groupName') ?? 'default';
    const arn = `arn:aws:scheduler:${region}:${account}:schedule/${group}/${name}`;
    const action = { POST: 'CreateSchedule', PUT: 'UpdateSchedule', DELETE: 'DeleteSchedule', GET: 'GetSchedule' }[method] ?? method;
    record(principal, `scheduler:${action}`, [arn]);
    if (action !== 'CreateSchedule') return awsError('UnsupportedOperation', `The Scheduler stand-in does not answer ${action}`);
    // Passing the target role to Scheduler is authorised on the caller's role too.
    record(principal, 'iam:PassRole', [input.Target.RoleArn], { 'iam:PassedToService': 'scheduler.amazonaws.com' });
    if (schedules.some((s) => s.arn === arn)) return awsError('ConflictException', `Schedule ${name} already exists`, 409);
    schedules.push({ arn, name, group, expression: input.ScheduleExpression, targetArn: input.Target.Arn, roleArn: input.Target.RoleArn, input: input.Target.Input ?? '{}', createdBy: principal });
    return json({ ScheduleArn: arn });
  }

  async function lambda(principal: string, path: string, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(path);
    if (!match) return awsError('UnsupportedOperation', `The Lambda stand-in does not answer ${req.method} ${path}`);
    const target = decodeURIComponent(match[1]!);
    record(principal, 'lambda:InvokeFunction', [functionArn(target)]);
    const payload = body.length ? JSON.parse(body.toString('utf8')) : {};
    if (req.headers['x-amz-invocation-type'] === 'Event') {
      // Lambda queues the event and answers 202 at once; the test waits for these with idle().
      const run = options.invoke(target, payload, principal).catch((error) => asyncFailures.push({ target, error }));
      pendingInvokes.add(run);
      void run.finally(() => pendingInvokes.delete(run));
      return { status: 202 };
    }
    return { status: 200, body: await options.invoke(target, payload, principal), headers: { 'content-type': 'application/json' } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const scope = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
    if (!scope) throw new StandInError(`An unsigned request reached the AWS stand-ins: ${req.method} ${req.url}`);
    const principal = options.principalOf(scope[1]!);
    const service = scope[2]!;
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.split('.').pop() ?? '';
    const input = body.length && /json/.test(String(req.headers['content-type'])) ? JSON.parse(body.toString('utf8')) : undefined;

    let answer: Answer;
    switch (service) {
      case 'dynamodb':
        dynamoCalls(principal, operation, input);
        return forward(options.dynamoEndpoint, req, body, res);
      case 'ses': {
        const action = req.method === 'POST' && url.pathname === '/v2/email/outbound-emails' ? 'SendEmail' : `${req.method} ${url.pathname}`;
        const resources =
          action === 'SendEmail'
            ? [
                // The verified domain identity authorises the From address; the configuration set is authorised too.
                `arn:aws:ses:${region}:${account}:identity/${String(input.FromEmailAddress).replace(/^.*<|>$/g, '').split('@')[1]}`,
                ...(input.ConfigurationSetName ? [`arn:aws:ses:${region}:${account}:configuration-set/${input.ConfigurationSetName}`] : []),
              ]
            : ['*'];
        record(principal, `ses:${action}`, resources);
        return forward(options.sesEndpoint, req, body, res);
      }
      case 'sqs':
        answer = sqs(principal, operation, input);
        break;
      case 'ssm': {
        const name = String(input?.Name ?? '');
        record(principal, `ssm:${operation}`, [`arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`]);
        const value = options.parameters[name];
        answer =
          operation !== 'GetParameter'
            ? awsError('UnsupportedOperation', `The SSM stand-in does not answer ${operation}`)
            : value === undefined
              ? awsError('ParameterNotFound', `No parameter ${name}`)
              : json({ Parameter: { Name: name, Type: 'SecureString', Value: value, Version: 1, ARN: `arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}` } });
        break;
      }
      case 'secretsmanager': {
        const id = String(input?.SecretId ?? '');
        record(principal, `secretsmanager:${operation}`, [id]);
        const value = options.secrets[id];
        answer =
          operation === 'GetSecretValue' && value !== undefined
            ? json({ ARN: id, Name: id.split(':').pop(), SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'] })
            : awsError('ResourceNotFoundException', `No secret ${id} (or ${operation} is not answered here)`);
        break;
      }
      case 'scheduler':
        answer = scheduler(principal, req.method ?? 'GET', url.pathname, input, url.searchParams);
        break;
      case 'lambda':
        answer = await lambda(principal, url.pathname, req, body);
        break;
      default:
        record(principal, `${service}:${operation || `${req.method} ${url.pathname}`}`, ['*']);
        answer = awsError('UnknownServiceException', `No stand-in for ${service}`);
    }
    const headers = { ...(answer.headers ?? {}), 'x-amzn-requestid': randomUUID() };
    res.writeHead(answer.status, headers).end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'InternalFailure', message: error.message }));
      unexpected.push(error);
    });
  });
  const unexpected: Error[] = [];
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    queues,
    schedules,
    asyncFailures,
    /** Errors of the stand-ins themselves (not answers to the code). */
    unexpected,
    /** Waits until every async Lambda invoke (and what they started) has finished. */
    async idle() {
      while (pendingInvokes.size) await Promise.allSettled([...pendingInvokes]);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type AwsStandIns = Awaited<ReturnType<typeof startAwsStandIns>>;
