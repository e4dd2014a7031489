// Least privilege and secrets: each Lambda can do what its handler needs and nothing else; no wildcard action;
// `*` resources only where AWS offers no resource-level permission (X-Ray); secrets never in a template; cdk-nag
// (AwsSolutions) reports nothing that is not acknowledged with a reason.
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { handlerNames } from '../../infra/constructs/news-function.js';
import { actionsOf, functionId, resources, resourcesOf, show, statementsOfFunction, statementsOfRole, synth } from './support.js';

// Local secrets in the environment must never leak into a template.
const sentinelToken = 'editor-token-sentinel-5f0c2a9e1b';
const sentinelSecret = 'signing-secret-sentinel-8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
process.env.EDITOR_TOKEN = sentinelToken;
process.env.SIGNING_SECRET = sentinelSecret;
const { app, app_: t, data, config } = synth();
delete process.env.EDITOR_TOKEN;
delete process.env.SIGNING_SECRET;

const statements = (handler: string) => statementsOfFunction(t, handler);
const tableImport = 'ExportsOutputFnGetAttTable';

describe('least privilege', () => {
  it('ingest can read and write the table but cannot send email, read secrets, enqueue sends or invoke anything', () => {
    const s = statements('ingest-schedule');
    expect(actionsOf(s)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
    expect(show(resourcesOf(s, 'dynamodb:PutItem'))).toContain(tableImport);
    expect(actionsOf(s).filter((a) => /^(ses|ssm|lambda|scheduler|iam):/.test(a))).toEqual([]);
    // Its only queue is where its own failed runs go.
    expect(show(resourcesOf(s, 'sqs:SendMessage'))).toContain('FailedInvocations');
    expect(show(resourcesOf(s, 'sqs:SendMessage'))).not.toContain('SendQueue');
  });

  it('the sender may send email, only from the verified identity through the configuration set', () => {
    const s = statements('send-batch');
    const sesResources = resourcesOf(s, 'ses:SendEmail');
    expect(sesResources).toHaveLength(2);
    expect(show(sesResources[0])).toContain(':identity/');
    expect(show(sesResources[1])).toContain(':configuration-set/');
    expect(actionsOf(s).filter((a) => a.startsWith('ses:'))).toEqual(['ses:SendEmail']);
  });

  it('only the HTTP Lambda and the sender may send email (confirmations, test sends; editions)', () => {
    const senders = handlerNames.filter((h) => actionsOf(statements(h)).some((a) => a.startsWith('ses:')));
    expect(senders.sort()).toEqual(['http-api', 'send-batch']);
  });

  it('the feedback handler only touches the table (and its async-failure queue)', () => {
    const s = statements('ses-feedback');
    expect(actionsOf(s).filter((a) => /^(ses|ssm|lambda|scheduler|iam):/.test(a))).toEqual([]);
    expect(show(resourcesOf(s, 'sqs:SendMessage'))).toContain('FailedInvocations');
  });

  it('table grants name the table and, for the functions that page listings, its gsi1 index (gsi1v2), never index/*', () => {
    for (const handler of handlerNames) {
      const r = resourcesOf(statements(handler), 'dynamodb:Query');
      if (r.length === 0) continue;
      expect(show(r)).not.toContain('/index/*');
    }
    for (const handler of ['http-api', 'send-planner', 'digest-schedule']) expect(show(resourcesOf(statements(handler), 'dynamodb:Query'))).toContain('/index/gsi1');
    for (const handler of ['ingest-schedule', 'ses-feedback', 'send-batch']) expect(show(resourcesOf(statements(handler), 'dynamodb:Query'))).not.toContain('/index/');
  });

  it('each function reaches only the rows of its concerns (dynamodb:LeadingKeys), with no Scan and no DescribeTable', () => {
    for (const handler of handlerNames) {
      const s = statements(handler);
      expect(actionsOf(s).filter((a) => ['dynamodb:Scan', 'dynamodb:DescribeTable', 'dynamodb:*'].includes(a))).toEqual([]);
      for (const item of s.filter((x) => actionsOf([x]).some((a) => a.startsWith('dynamodb:')) && !show(x.Resource).includes('/index/'))) {
        expect((item.Condition as Record<string, Record<string, string[]>> | undefined)?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual(expect.arrayContaining([expect.stringMatching(/^[A-Z]+(#\*|#[A-Z_]+)?$/)]));
      }
    }
    const rows = (handler: string) => show(statements(handler).map((x) => x.Condition ?? {}));
    expect(rows('send-batch')).toContain('DELIVERY#*');
    expect(rows('send-batch')).not.toContain('EMAIL#*');
    expect(rows('ingest-schedule')).not.toContain('SUB#*');
    expect(rows('ses-feedback')).not.toContain('ITEM#*');
  });

  it('only the HTTP Lambda reads the editor token; the planner, sender, digest and HTTP Lambda read the signing secret; each by its exact ARN', () => {
    const readers = (parameter: string) =>
      handlerNames.filter((h) => show(resourcesOf(statements(h), 'ssm:GetParameter')).includes(`parameter/pacific-news/${config.stage}/${parameter}`));
    expect(readers('editor-token')).toEqual(['http-api']);
    expect(readers('signing-secret').sort()).toEqual(['digest-schedule', 'http-api', 'send-batch', 'send-planner']);
    for (const h of handlerNames) for (const r of resourcesOf(statements(h), 'ssm:GetParameter')) expect(show(r)).not.toContain('*');
  });

  it('the HTTP Lambda may start the planner and manage schedules in the editions group only, passing only the editions role', () => {
    const s = statements('http-api');
    expect(resourcesOf(s, 'lambda:InvokeFunction')).toEqual([{ 'Fn::GetAtt': [functionId(t, 'send-planner'), 'Arn'] }]);
    expect(show(resourcesOf(s, 'scheduler:CreateSchedule'))).toContain(`:schedule/pacific-news-${config.stage}-editions/*`);
    const passRole = s.find((x) => actionsOf([x]).includes('iam:PassRole'))!;
    expect(show(passRole.Resource)).toContain('EditionSchedulerRole');
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  });

  it('each schedule role may invoke exactly one function and write to the failed-invocations queue', () => {
    for (const [, schedule] of resources(t, 'AWS::Scheduler::Schedule')) {
      const roleId = schedule.Properties!.Target.RoleArn['Fn::GetAtt'][0] as string;
      const s = statementsOfRole(t, roleId);
      expect(actionsOf(s).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
      const targets = new Set(resourcesOf(s, 'lambda:InvokeFunction').map((r) => show(r).match(/"([A-Za-z0-9]+)","Arn"/)![1]));
      expect(targets.size).toBe(1);
    }
  });

  it('no statement anywhere grants a wildcard action, and `*` resources are X-Ray only', () => {
    for (const template of [t, data]) {
      for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
        for (const statement of policy.Properties!.PolicyDocument.Statement) {
          expect(actionsOf([statement]).filter((a) => a.includes('*')), show(statement)).toEqual([]);
          if (statement.Resource === '*') expect(actionsOf([statement]).every((a) => a.startsWith('xray:')), show(statement)).toBe(true);
        }
      }
    }
  });

  it('no Lambda has the AWS-managed basic execution policy: each writes only to its own log group', () => {
    for (const [, role] of resources(t, 'AWS::IAM::Role')) expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
  });
});

describe('secrets', () => {
  const templates = JSON.stringify([t.toJSON(), data.toJSON()]);

  it('puts no secret value in any template, even when the synthesising shell has them', () => {
    expect(templates).not.toContain(sentinelToken);
    expect(templates).not.toContain(sentinelSecret);
  });

  it('sets no EDITOR_TOKEN or SIGNING_SECRET variable, only the parameter names', () => {
    for (const [, fn] of resources(t, 'AWS::Lambda::Function')) {
      const names = Object.keys(fn.Properties!.Environment.Variables);
      expect(names).not.toContain('EDITOR_TOKEN');
      expect(names).not.toContain('SIGNING_SECRET');
    }
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  const report = new AwsSolutionsChecks().validateScope(app);

  it('has no unacknowledged finding, error or warning', () => {
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement carries a reason of some substance', () => {
    const acknowledged: { id: string; reason: string }[] = [];
    for (const c of app.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) acknowledged.push({ id, reason: String(reason) });
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) expect(a.reason.length, a.id).toBeGreaterThan(40);
  });
});
