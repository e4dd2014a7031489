// The synthesized cloud assembly (cdk.out) read as the deployed shape: each Lambda's bundle, the environment its
// template gives it and its role's policy statements, with every intrinsic (Ref, GetAtt, ImportValue, Join, Sub, …)
// resolved to consistent fake names and ARNs (account 123456789012) that the local stand-ins understand.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { handlerNames, repoRoot } from '../../../infra/constructs/news-function.js';
import type { Statement } from './iam.js';

export const account = '123456789012';
/** The stacks are environment-agnostic (AWS::Region unresolved); this is the region the shape runs in. */
export const region = 'us-east-1';

type Json = any; // CloudFormation templates are untyped JSON
interface Resource {
  Type: string;
  Properties?: Json;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: string } }>;
}

export interface DeployedFunction {
  logicalId: string;
  /** The handler entry in lambdas/handlers/ (e.g. `send-batch`). */
  handler: string;
  name: string;
  arn: string;
  /** The bundle directory in cdk.out (index.mjs and what was copied beside it). */
  assetDir: string;
  exportName: string;
  /** The Environment.Variables of the template, resolved. */
  env: Record<string, string>;
  timeoutSeconds: number;
  roleArn: string;
  statements: Statement[];
}

export interface DeployedSchedule {
  logicalId: string;
  name: string;
  targetArn: string;
  roleArn: string;
  input: string;
}

export interface DeployedEventSource {
  functionName: string;
  queueArn: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
}

/** Physical names the test wants to choose (e.g. a fresh DynamoDB table per run), by logical id. */
export type NameOverrides = Record<string, string>;

export interface AssemblyOptions {
  /** Where SQS queue URLs point: the local stand-in (so the SDK's queue-URL endpoint is the stand-in too). */
  sqsBaseUrl: string;
  names?: NameOverrides;
}

const outDir = join(repoRoot, 'cdk.out');
const sourceDirs = ['infra', 'lambdas', 'templates'];
const sourceFiles = ['package-lock.json', 'cdk.json', 'tsconfig.json'];

/** Synthesizes (with bundling) unless cdk.out is newer than every source file and holds every bundle. */
export function ensureSynthesized(): { synthesized: boolean; reason: string } {
  const stale = staleness();
  if (!stale) return { synthesized: false, reason: 'cdk.out is newer than every source file' };
  execFileSync('npx', ['cdk', 'synth', '-q'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], timeout: 8 * 60_000 });
  return { synthesized: true, reason: stale };
}

function staleness(): string | undefined {
  const manifest = join(outDir, 'manifest.json');
  if (!existsSync(manifest)) return 'no cdk.out';
  const built = statSync(manifest).mtimeMs;
  const newer = (path: string): string | undefined => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) {
        const found = newer(join(path, entry));
        if (found) return found;
      }
      return undefined;
    }
    return stat.mtimeMs > built ? path : undefined;
  };
  for (const path of [...sourceDirs, ...sourceFiles].map((p) => join(repoRoot, p))) {
    const found = existsSync(path) ? newer(path) : undefined;
    if (found) return `${relative(repoRoot, found)} is newer than cdk.out`;
  }
  const templates = readTemplates();
  for (const template of templates.values()) {
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      if (!existsSync(join(assetDirOf(resource), 'index.mjs'))) return 'cdk.out was synthesised without bundling';
    }
  }
  return undefined;
}

function readTemplates(): Map<string, Template> {
  const templates = new Map<string, Template>();
  for (const file of readdirSync(outDir).filter((f) => f.endsWith('.template.json'))) {
    templates.set(file.replace(/\.template\.json$/, ''), JSON.parse(readFileSync(join(outDir, file), 'utf8')) as Template);
  }
  return templates;
}

const assetDirOf = (fn: Resource) => join(outDir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);

export class UnsupportedIntrinsicError extends Error {
  override name = 'UnsupportedIntrinsicError';
}

export class Assembly {
  readonly templates = readTemplates();
  private readonly exports = new Map<string, { stack: string; value: Json }>();

  constructor(private readonly options: AssemblyOptions) {
    for (const [stack, template] of this.templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export) this.exports.set(this.resolve(stack, output.Export.Name) as string, { stack, value: output.Value });
      }
    }
  }

  functions(): DeployedFunction[] {
    return this.resourcesOf('AWS::Lambda::Function').map(({ stack, logicalId, resource }) => {
      const p = resource.Properties;
      const env = Object.fromEntries(Object.entries((p.Environment?.Variables ?? {}) as Record<string, Json>).map(([k, v]) => [k, String(this.resolve(stack, v))]));
      const roleArn = String(this.resolve(stack, p.Role));
      return {
        logicalId,
        handler: handlerNames.find((h) => this.physicalName(stack, logicalId).endsWith(`-${h}`)) ?? logicalId,
        name: this.physicalName(stack, logicalId),
        arn: this.getAtt(stack, logicalId, 'Arn'),
        assetDir: assetDirOf(resource),
        exportName: String(p.Handler).split('.').pop()!,
        env,
        timeoutSeconds: Number(p.Timeout ?? 3),
        roleArn,
        statements: this.roleStatements(roleArn),
      };
    });
  }

  schedules(): DeployedSchedule[] {
    return this.resourcesOf('AWS::Scheduler::Schedule').map(({ stack, logicalId, resource }) => ({
      logicalId,
      name: this.physicalName(stack, logicalId),
      targetArn: String(this.resolve(stack, resource.Properties.Target.Arn)),
      roleArn: String(this.resolve(stack, resource.Properties.Target.RoleArn)),
      input: String(this.resolve(stack, resource.Properties.Target.Input ?? '{}')),
    }));
  }

  eventSources(): DeployedEventSource[] {
    return this.resourcesOf('AWS::Lambda::EventSourceMapping').map(({ stack, resource }) => ({
      functionName: String(this.resolve(stack, resource.Properties.FunctionName)),
      queueArn: String(this.resolve(stack, resource.Properties.EventSourceArn)),
      batchSize: Number(resource.Properties.BatchSize ?? 10),
      reportBatchItemFailures: (resource.Properties.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    }));
  }

  /** maxReceiveCount of a queue's redrive policy (SQS keeps redelivering without one). */
  maxReceiveCount(queueArn: string): number | undefined {
    for (const { stack, logicalId, resource } of this.resourcesOf('AWS::SQS::Queue')) {
      if (this.getAtt(stack, logicalId, 'Arn') === queueArn) return resource.Properties.RedrivePolicy?.maxReceiveCount;
    }
    return undefined;
  }

  /** The statements of every identity policy attached to a role (AWS::IAM::Policy and the role's inline Policies). */
  roleStatements(roleArn: string): Statement[] {
    const statements: Statement[] = [];
    for (const { stack, logicalId, resource } of this.resourcesOf('AWS::IAM::Role')) {
      if (this.getAtt(stack, logicalId, 'Arn') !== roleArn) continue;
      if (resource.Properties.ManagedPolicyArns?.length) throw new UnsupportedIntrinsicError(`${logicalId} has managed policies; the shape tests read only inline statements.`);
      const documents = (resource.Properties.Policies ?? []).map((p: Json) => p.PolicyDocument);
      for (const policy of this.resourcesOf('AWS::IAM::Policy').filter((p) => p.stack === stack)) {
        if ((policy.resource.Properties.Roles ?? []).some((r: Json) => r?.Ref === logicalId)) documents.push(policy.resource.Properties.PolicyDocument);
      }
      for (const document of documents) {
        for (const s of document.Statement as Json[]) {
          const list = (v: Json) => (Array.isArray(v) ? v : [v]).map((x) => String(this.resolve(stack, x)));
          statements.push({ Effect: s.Effect, Action: list(s.Action), Resource: list(s.Resource), ...(s.Condition ? { Condition: this.resolve(stack, s.Condition) } : {}) });
        }
      }
    }
    return statements;
  }

  private resourcesOf(type: string) {
    const found: Array<{ stack: string; logicalId: string; resource: Resource }> = [];
    for (const [stack, template] of this.templates) {
      for (const [logicalId, resource] of Object.entries(template.Resources)) if (resource.Type === type) found.push({ stack, logicalId, resource });
    }
    return found;
  }

  private resource(stack: string, logicalId: string): Resource {
    const resource = this.templates.get(stack)?.Resources[logicalId];
    if (!resource) throw new UnsupportedIntrinsicError(`${stack} has no resource ${logicalId}`);
    return resource;
  }

  physicalName(stack: string, logicalId: string): string {
    const override = this.options.names?.[logicalId];
    if (override) return override;
    const { Type, Properties: p = {} } = this.resource(stack, logicalId);
    const named: Record<string, Json> = {
      'AWS::DynamoDB::Table': p.TableName,
      'AWS::SQS::Queue': p.QueueName,
      'AWS::Lambda::Function': p.FunctionName,
      'AWS::IAM::Role': p.RoleName,
      'AWS::SES::ConfigurationSet': p.Name,
      'AWS::SES::EmailIdentity': p.EmailIdentity,
      'AWS::Scheduler::ScheduleGroup': p.Name,
      'AWS::Scheduler::Schedule': p.Name,
      'AWS::SecretsManager::Secret': p.Name,
      'AWS::SNS::Topic': p.TopicName,
      'AWS::Logs::LogGroup': p.LogGroupName,
      'AWS::Cognito::UserPoolDomain': p.Domain,
    };
    const name = named[Type] !== undefined ? this.resolve(stack, named[Type]) : `${stack}-${logicalId}`.slice(0, 64);
    return Type === 'AWS::Cognito::UserPool' ? `${region}_${logicalId.slice(0, 9)}` : String(name);
  }

  private ref(stack: string, logicalId: string): string {
    const pseudo: Record<string, string> = { 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': stack };
    if (pseudo[logicalId]) return pseudo[logicalId];
    const { Type } = this.resource(stack, logicalId);
    const name = this.physicalName(stack, logicalId);
    if (Type === 'AWS::SQS::Queue') return `${this.options.sqsBaseUrl}/${account}/${name}`;
    if (Type === 'AWS::SecretsManager::Secret' || Type === 'AWS::SNS::Topic') return this.getAtt(stack, logicalId, 'Arn');
    return name;
  }

  private getAtt(stack: string, logicalId: string, attribute: string): string {
    const { Type } = this.resource(stack, logicalId);
    const name = this.physicalName(stack, logicalId);
    const arns: Record<string, string> = {
      'AWS::DynamoDB::Table': `arn:aws:dynamodb:${region}:${account}:table/${name}`,
      'AWS::SQS::Queue': `arn:aws:sqs:${region}:${account}:${name}`,
      'AWS::Lambda::Function': `arn:aws:lambda:${region}:${account}:function:${name}`,
      'AWS::IAM::Role': `arn:aws:iam::${account}:role/${name}`,
      'AWS::Logs::LogGroup': `arn:aws:logs:${region}:${account}:log-group:${name}:*`,
      'AWS::Scheduler::ScheduleGroup': `arn:aws:scheduler:${region}:${account}:schedule-group/${name}`,
      'AWS::SecretsManager::Secret': `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`,
      'AWS::SNS::Topic': `arn:aws:sns:${region}:${account}:${name}`,
      'AWS::KMS::Key': `arn:aws:kms:${region}:${account}:key/${logicalId}`,
      'AWS::Cognito::UserPool': `arn:aws:cognito-idp:${region}:${account}:userpool/${name}`,
    };
    if (attribute === 'Arn' && arns[Type]) return arns[Type];
    if (Type === 'AWS::SQS::Queue' && attribute === 'QueueName') return name;
    if (Type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return this.ref(stack, logicalId);
    return `${name}.${attribute}`;
  }

  resolve(stack: string, value: Json): Json {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    const keys = Object.keys(value);
    if (keys.length !== 1 || !(keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(stack, v)]));
    }
    const [fn, arg] = [keys[0]!, value[keys[0]!]];
    switch (fn) {
      case 'Ref':
        return this.ref(stack, arg);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        return this.getAtt(stack, id, attr);
      }
      case 'Fn::ImportValue': {
        const name = String(this.resolve(stack, arg));
        const exported = this.exports.get(name);
        if (!exported) throw new UnsupportedIntrinsicError(`No stack exports ${name}`);
        return this.resolve(exported.stack, exported.value);
      }
      case 'Fn::Join':
        return (this.resolve(stack, arg[1]) as Json[]).join(arg[0]);
      case 'Fn::Select':
        return (this.resolve(stack, arg[1]) as Json[])[Number(this.resolve(stack, arg[0]))];
      case 'Fn::Split':
        return String(this.resolve(stack, arg[1])).split(arg[0]);
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? [arg[0], this.resolve(stack, arg[1])] : [arg, {}];
        return String(text).replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (name in vars) return String(vars[name]);
          const [id, attr] = name.split(/\.(.*)/);
          return attr ? this.getAtt(stack, id!, attr) : this.ref(stack, id!);
        });
      }
      default:
        throw new UnsupportedIntrinsicError(`${fn} is not resolved by the shape tests (in ${stack}: ${JSON.stringify(value)})`);
    }
  }
}
