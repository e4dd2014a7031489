// One Lambda of the service: nodejs22.x (the major is infra/node-runtime.ts's) on arm64, an ESM esbuild bundle of one
// handler entry in lambdas/handlers/, JSON logs with a retention, X-Ray tracing. The `use*` methods follow Powertools'
// style: the env variable a handler reads and the IAM grant it needs are set in the same place, so neither can be
// forgotten.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { partitionPatterns } from '../../lambdas/adapters/dynamo/keys.js';
import { listingIndex } from '../../lambdas/adapters/dynamo/table.js';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import type { EmailIdentityRefs } from './email-identity.js';
import { acknowledge } from './nag.js';
import { lambdaEsbuildTarget, lambdaNodeMajor, lambdaRuntimeName } from '../node-runtime.js';

/** The Lambdas' runtime: the one that aws-cdk-lib names for infra/node-runtime.ts's major. */
export const lambdaRuntime: lambda.Runtime = (() => {
  const runtime = lambda.Runtime.ALL.find((r) => r.family === lambda.RuntimeFamily.NODEJS && r.name === lambdaRuntimeName);
  if (!runtime) throw new Error(`aws-cdk-lib does not know the Lambda runtime ${lambdaRuntimeName} (Node ${lambdaNodeMajor}): upgrade aws-cdk-lib.`);
  return runtime;
})();

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The handler entries in lambdas/handlers/, one per Lambda. */
export const handlerNames = ['http-api', 'ingest-schedule', 'ses-feedback', 'send-planner', 'send-batch', 'digest-schedule'] as const;
export type HandlerName = (typeof handlerNames)[number];

export function handlerEntry(handler: HandlerName): string {
  return join(repoRoot, 'lambdas', 'handlers', `${handler}.ts`);
}

export class MissingHandlerError extends Error {
  override name = 'MissingHandlerError';
}

/** Fails with one message naming every handler entry that does not exist yet (bundling needs them all). */
export function assertHandlerEntriesExist(handlers: readonly HandlerName[] = handlerNames): void {
  const missing = handlers.filter((h) => !existsSync(handlerEntry(h))).map((h) => `lambdas/handlers/${h}.ts`);
  if (missing.length > 0) {
    throw new MissingHandlerError(
      `Cannot bundle the Lambdas: missing handler entr${missing.length === 1 ? 'y' : 'ies'} ${missing.join(', ')}. ` +
        'Write them, or synthesise without bundling: npx cdk synth -c skipBundling=true',
    );
  }
}

/** Env variables whose value is the NAME of an SSM SecureString parameter (never the secret itself). */
export type SecretParameterEnv = 'EDITOR_TOKEN_PARAMETER' | 'SIGNING_SECRET_PARAMETER';

export interface NewsFunctionProps {
  readonly config: StageConfig;
  readonly handler: HandlerName;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: Record<string, string>;
  /** Copy templates/ (MJML) next to the bundle, for handlers that compile editions. */
  readonly withTemplates?: boolean;
}

// esbuild's CommonJS interop inside an ESM bundle needs `require`; set it on globalThis (no top-level name that a
// bundled module could also declare).
const esmBanner =
  "import { createRequire as __newsCreateRequire } from 'node:module';" +
  'globalThis.require ??= __newsCreateRequire(import.meta.url);';

export class NewsFunction extends NodejsFunction {
  readonly handlerName: HandlerName;

  constructor(scope: Construct, id: string, props: NewsFunctionProps) {
    const { config } = props;
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/${config.prefix}-${props.handler}`,
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role: logs go to its own log group only (no AWSLambdaBasicExecutionRole with logs:* on *).
    const role = new iam.Role(scope, `${id}Role`, {
      description: `${config.prefix}-${props.handler}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    const common = {
      role,
      functionName: `${config.prefix}-${props.handler}`,
      description: props.description,
      runtime: lambdaRuntime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      recursiveLoop: lambda.RecursiveLoop.TERMINATE,
      environment: {
        STAGE: config.stage,
        LOG_LEVEL: 'INFO',
        POWERTOOLS_SERVICE_NAME: `pacific-news-${props.handler}`,
        POWERTOOLS_METRICS_NAMESPACE: 'PacificNews',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    };
    if (config.skipBundling) {
      super(scope, id, { ...common, code: placeholderCode(), handler: 'index.handler' });
    } else {
      assertHandlerEntriesExist([props.handler]);
      const entry = handlerEntry(props.handler);
      super(scope, id, {
        ...common,
        entry,
        handler: 'handler',
        projectRoot: repoRoot,
        depsLockFilePath: join(repoRoot, 'package-lock.json'),
        bundling: {
          format: OutputFormat.ESM,
          target: lambdaEsbuildTarget,
          mainFields: ['module', 'main'],
          minify: true,
          sourceMap: true,
          sourcesContent: false,
          // Bundle SDK v3 too: pinned versions (SESv2 `Headers` needs a recent client), faster cold starts.
          bundleAwsSDK: true,
          banner: esmBanner,
          tsconfig: join(repoRoot, 'tsconfig.json'),
          logLevel: LogLevel.WARNING,
          forceDockerBundling: false,
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (inputDir: string, outputDir: string) =>
              props.withTemplates ? [`cp -R "${inputDir}/templates" "${outputDir}/templates"`] : [],
          },
        },
      });
    }
    this.handlerName = props.handler;
    acknowledge(this, {
      id: 'AwsSolutions-L1',
      reason: `The project targets ${lambdaRuntimeName}, the Node every npm script and test runs on (infra/node-runtime.ts); move to a newer major deliberately.`,
    });
    acknowledge(role, { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.' });
  }

  /**
   * TABLE_NAME plus the matching grant: the item actions the function uses, on the rows of the concerns it serves
   * (a `dynamodb:LeadingKeys` condition on their partition keys; a transaction's items are each authorised so), and
   * Query on the listing index (gsi1v2) if it pages a listing. No `index/*`, no Scan, no DescribeTable.
   */
  useTable(table: ITable, access: TableAccess): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: access.actions.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.partitions.flatMap((concern) => partitionPatterns[concern]) } },
      }),
    );
    if (access.listings) {
      this.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${listingIndex}`] }));
    }
    return this;
  }

  /** lambda:InvokeFunction on this function only (not its versions: `grantInvoke` would add `:*`). */
  allowInvoke(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.functionArn] }));
  }

  /** The cdk-nag finding of a grant on this function's versions (`<Arn>:*`), for grants made by other L2s. */
  versionsFinding(): `AwsSolutions-IAM5[${string}]` {
    const logicalId = Stack.of(this).resolve((this.node.defaultChild as lambda.CfnFunction).logicalId) as string;
    return `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`;
  }

  /** The NAME of an SSM SecureString parameter in `envName`, plus ssm:GetParameter on that one parameter. */
  useSecretParameter(envName: SecretParameterEnv, parameterName: string): this {
    this.addEnvironment(envName, parameterName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: parameterName.replace(/^\//, '') })],
      }),
    );
    return this;
  }

  /** SEND_QUEUE_URL plus sqs:SendMessage on that queue. */
  useSendQueue(queue: IQueue): this {
    this.addEnvironment('SEND_QUEUE_URL', queue.queueUrl);
    queue.grantSendMessages(this);
    return this;
  }

  /** SENDER_EMAIL, SES_CONFIGURATION_SET plus ses:SendEmail from the verified identity through that configuration set. */
  useEmailSending(email: EmailIdentityRefs, options: { sandbox: boolean }): this {
    this.addEnvironment('SENDER_EMAIL', email.senderEmail);
    this.addEnvironment('SES_CONFIGURATION_SET', email.configurationSetName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [email.identityArn, email.configurationSetArn],
      }),
    );
    if (options.sandbox) {
      const stack = Stack.of(this);
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })],
        }),
      );
      const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
      const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
      acknowledge(this.role!, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:${region}:${account}:identity/*]`,
        reason: 'sesSandbox=true: in the SES sandbox SendEmail is also authorised against each verified recipient identity.',
      });
    }
    return this;
  }
}

/** Item actions a function may be granted on the table (transactions need no more than these). */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

export interface TableAccess {
  readonly actions: readonly TableAction[];
  /** The concerns whose rows it reads or writes (keys.ts's `partitionPatterns`). */
  readonly partitions: ReadonlyArray<keyof typeof partitionPatterns>;
  /** Pages a listing of the listing index (editions, subscribers, confirmed shards, deliveries). */
  readonly listings?: boolean;
}

/** A tiny handler used when bundling is skipped (tests, quick synths): it only says it is a placeholder. */
function placeholderCode(): lambda.Code {
  const dir = join(repoRoot, 'node_modules', '.cache', 'pacific-news-placeholder');
  if (!existsSync(join(dir, 'index.mjs'))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'index.mjs'),
      "export const handler = async () => { throw new Error('placeholder bundle: synthesised with skipBundling'); };\n",
    );
  }
  return lambda.Code.fromAsset(dir);
}
