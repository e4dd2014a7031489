// What a Lambda brings to the composition root in AWS: configuration (with secrets read from SSM at cold start, never
// from the template), SDK clients built once, and the background ports backed by SQS, EventBridge Scheduler and async
// Lambda invokes.
import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { SchedulerClient, CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createDocumentClient } from './dynamo/client.js';
import { createSesClient } from './ses/mailer.js';
import { composeApp, sendQueue, type App, type AppParts, type BackgroundPorts } from '../composition-root.js';
import { chunk } from '../core/shared/concurrency.js';

async function readSecret(ssm: SSMClient, name: string | undefined): Promise<string | undefined> {
  if (!name) return undefined;
  const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  if (!out.Parameter?.Value) throw new ConfigError(`SSM parameter ${name} is empty; set it as described in docs/deploy.md.`);
  return out.Parameter.Value;
}

async function readOriginSecret(arn: string | undefined): Promise<string | undefined> {
  if (!arn) return undefined;
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new ConfigError(`Secrets Manager secret ${arn} has no string value; the stack generates one.`);
  return out.SecretString;
}

/** Config with EDITOR_TOKEN and SIGNING_SECRET filled from the SSM parameters the stack names, and
 *  ORIGIN_VERIFY_SECRET from the Secrets Manager secret CloudFront sends; checked again as a whole (token strength). */
export async function loadAwsConfig(env: Record<string, string | undefined> = process.env): Promise<Config> {
  const names = loadConfig(env);
  const ssm = new SSMClient({});
  const [editorToken, signingSecret, originSecret] = await Promise.all([
    readSecret(ssm, names.EDITOR_TOKEN_PARAMETER),
    readSecret(ssm, names.SIGNING_SECRET_PARAMETER),
    readOriginSecret(names.ORIGIN_VERIFY_SECRET_ARN),
  ]);
  const filled = {
    EDITOR_TOKEN: editorToken ?? env.EDITOR_TOKEN,
    SIGNING_SECRET: signingSecret ?? env.SIGNING_SECRET,
    ORIGIN_VERIFY_SECRET: originSecret ?? env.ORIGIN_VERIFY_SECRET,
  };
  return loadConfig({ ...env, ...Object.fromEntries(Object.entries(filled).filter(([, v]) => v !== undefined)) });
}

export function awsBackground(env: Config): BackgroundPorts {
  const sqs = new SQSClient({});
  const scheduler = new SchedulerClient({});
  const lambda = new LambdaClient({});
  const queues: Record<string, string | undefined> = { [sendQueue]: env.SEND_QUEUE_URL };
  return {
    async enqueue(queue, bodies) {
      const url = queues[queue];
      if (!url) throw new ConfigError(`No queue URL is configured for "${queue}" (SEND_QUEUE_URL).`);
      for (const part of chunk(bodies, 10)) {
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: part.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }));
        if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} of ${part.length} messages: ${out.Failed[0]?.Message}`);
      }
    },
    async schedule(job, at, payload) {
      const target = env.SEND_PLANNER_FUNCTION;
      if (!target) throw new ConfigError('SEND_PLANNER_FUNCTION is not set; the stack sets it on the HTTP Lambda.');
      const input = JSON.stringify({ job, payload });
      if (at.getTime() <= Date.now() + 60_000) {
        await lambda.send(new InvokeCommand({ FunctionName: target, InvocationType: 'Event', Payload: Buffer.from(input) }));
        return;
      }
      await scheduler.send(
        new CreateScheduleCommand({
          Name: `${job}-${randomUUID()}`.slice(0, 64),
          GroupName: env.EDITION_SCHEDULE_GROUP,
          ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: target,
            RoleArn: env.EDITION_SCHEDULER_ROLE_ARN,
            Input: input,
            ...(env.FAILED_INVOCATIONS_QUEUE_ARN ? { DeadLetterConfig: { Arn: env.FAILED_INVOCATIONS_QUEUE_ARN } } : {}),
          },
        }),
      );
    },
  };
}

/** The App of one Lambda, composed once at cold start. Only Lambdas that compile newsletters pass a renderer. */
export async function composeAwsApp(extra: Pick<AppParts, 'renderer'> = {}): Promise<App> {
  const config = await loadAwsConfig();
  return composeApp({
    config,
    doc: createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMO_ENDPOINT }),
    ses: createSesClient({ region: config.AWS_REGION, endpoint: config.SES_ENDPOINT }),
    background: awsBackground(config),
    ...extra,
  });
}
