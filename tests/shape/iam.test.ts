import { describe, expect, it } from 'vitest';
import { allowingGrants, denials, unusedGrants, unusedLeadingKeys, type Statement } from './support/iam.js';

const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/news';
const statements: Statement[] = [
  { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [table, `${table}/index/gsi1`] },
  { Effect: 'Allow', Action: ['scheduler:*'], Resource: ['arn:aws:scheduler:us-east-1:123456789012:schedule/editions/*'] },
  { Effect: 'Allow', Action: ['iam:PassRole'], Resource: ['arn:aws:iam::123456789012:role/invoker'], Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } },
];

describe('the IAM check of the shape tests', () => {
  it('matches actions case-insensitively with wildcards, and resources exactly or by wildcard (an index is its own ARN)', () => {
    expect(allowingGrants(statements, 'DynamoDB:getitem', table)).toHaveLength(1);
    expect(allowingGrants(statements, 'dynamodb:Query', `${table}/index/gsi1`)).toHaveLength(1);
    expect(allowingGrants(statements, 'dynamodb:Query', `${table}/index/gsi2`)).toHaveLength(0);
    expect(allowingGrants(statements, 'dynamodb:PutItem', table)).toHaveLength(0);
    expect(allowingGrants(statements, 'scheduler:CreateSchedule', 'arn:aws:scheduler:us-east-1:123456789012:schedule/editions/plan-1')).toHaveLength(1);
    expect(allowingGrants(statements, 'scheduler:CreateSchedule', 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/plan-1')).toHaveLength(0);
  });

  it('evaluates iam:PassedToService, and names the call it denies', () => {
    const role = 'arn:aws:iam::123456789012:role/invoker';
    expect(allowingGrants(statements, 'iam:PassRole', role, { 'iam:PassedToService': 'scheduler.amazonaws.com' })).toHaveLength(1);
    expect(allowingGrants(statements, 'iam:PassRole', role, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toHaveLength(0);
    const denied = denials([{ principal: 'fn', action: 'sqs:SendMessage', resources: ['arn:aws:sqs:us-east-1:123456789012:send'] }], () => statements);
    expect(denied).toEqual([{ call: expect.objectContaining({ principal: 'fn', action: 'sqs:SendMessage' }), resource: 'arn:aws:sqs:us-east-1:123456789012:send' }]);
  });

  it('counts each action on each resource of a statement as one grant, used or not', () => {
    const unused = unusedGrants('fn', statements, [{ principal: 'fn', action: 'dynamodb:GetItem', resources: [table] }]);
    expect(unused.map((g) => `${g.action} ${g.resource.split('/').slice(1).join('/')}`)).toEqual([
      'dynamodb:GetItem news/index/gsi1',
      'dynamodb:Query news',
      'dynamodb:Query news/index/gsi1',
      'scheduler:* editions/*',
      'iam:PassRole invoker',
    ]);
  });

  it('evaluates dynamodb:LeadingKeys (ForAllValues:StringLike): every partition key a call touches must match a pattern', () => {
    const rows: Statement[] = [{ Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:Scan'], Resource: [table], Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EDITION#*', 'DELIVERY#*'] } } }];
    expect(allowingGrants(rows, 'dynamodb:UpdateItem', table, { 'dynamodb:LeadingKeys': ['EDITION#e1#COUNTS#3'] })).toHaveLength(1);
    expect(allowingGrants(rows, 'dynamodb:UpdateItem', table, { 'dynamodb:LeadingKeys': ['EDITION#e1', 'SUB#s1'] })).toHaveLength(0);
    // As in AWS, a request that carries no leading keys (a scan) meets a ForAllValues condition: grant no Scan.
    expect(allowingGrants(rows, 'dynamodb:Scan', table, {})).toHaveLength(1);
    const calls = [{ principal: 'fn', action: 'dynamodb:UpdateItem', resources: [table], context: { 'dynamodb:LeadingKeys': ['EDITION#e1'] } }];
    expect(unusedLeadingKeys('fn', rows, calls)).toEqual([{ statement: 0, pattern: 'DELIVERY#*' }]);
  });
});
