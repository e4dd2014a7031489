// The stateful stack: the table is built from lambdas/adapters/dynamo/table.ts (the definition the local runtime
// uses), with PITR, deletion protection, TTL and RETAIN; SES identity with Easy DKIM and MAIL FROM; configuration
// set with its events going to an encrypted SNS topic.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createTableInput, tableKeys, timeToLiveAttribute } from '../../lambdas/adapters/dynamo/table.js';
import { retiringIndex } from '../../infra/stacks/data-stack.js';
import { only, resources, synth } from './support.js';

const { data, config } = synth();

describe('DataStack: table', () => {
  const [tableId, table] = only(resources(data, 'AWS::DynamoDB::Table'));

  it('has the key schema of table.ts', () => {
    expect(table.Properties.KeySchema).toEqual(createTableInput('x').KeySchema);
    expect(table.Properties.AttributeDefinitions).toEqual(expect.arrayContaining(createTableInput('x').AttributeDefinitions));
    expect(table.Properties.AttributeDefinitions).toHaveLength(createTableInput('x').AttributeDefinitions.length);
  });

  it('has every global index of table.ts, projecting only what readers read, and the retiring gsi1 (one release more)', () => {
    const indexes = table.Properties.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[];
    expect(indexes.map((i) => i.IndexName)).toEqual([...tableKeys.indexes.map((i) => i.name), retiringIndex]);
    for (const expected of createTableInput('x').GlobalSecondaryIndexes) {
      const index = indexes.find((i) => i.IndexName === expected.IndexName)!;
      expect(index.KeySchema).toEqual(expected.KeySchema);
      expect(index.Projection).toEqual(expected.Projection);
      expect(index.Projection).toMatchObject({ ProjectionType: 'INCLUDE' });
    }
    // Same key attributes: the new index backfills from the rows as they are.
    expect(indexes.find((i) => i.IndexName === retiringIndex)!.KeySchema).toEqual(createTableInput('x').GlobalSecondaryIndexes[0]!.KeySchema);
  });

  it('bills on demand, keeps point-in-time recovery, is deletion protected and retained', () => {
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(tableId).toMatch(/^Table/);
  });

  it('expires rows through the TTL attribute of table.ts', () => {
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: timeToLiveAttribute, Enabled: true });
  });

  it('is named for the stage', () => {
    expect(table.Properties.TableName).toBe(`pacific-news-${config.stage}`);
  });
});

describe('DataStack: SES', () => {
  it('verifies the sender domain with Easy DKIM (2048-bit) and a custom MAIL FROM domain', () => {
    data.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: config.senderDomain,
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: { MailFromDomain: `mail.${config.senderDomain}`, BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
      FeedbackAttributes: { EmailForwardingEnabled: false },
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it('has a configuration set with reputation metrics, TLS required and the account suppression list', () => {
    data.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: `pacific-news-${config.stage}`,
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: Match.objectLike({ TlsPolicy: 'REQUIRE' }),
      SuppressionOptions: { SuppressedReasons: Match.arrayWith(['BOUNCE', 'COMPLAINT']) },
    });
  });

  it('sends bounce, complaint, delivery, reject, send and open events (never click) to the SNS feedback topic', () => {
    const [, destination] = only(resources(data, 'AWS::SES::ConfigurationSetEventDestination'));
    const d = destination.Properties!.EventDestination;
    expect(d.Enabled).toBe(true);
    expect([...d.MatchingEventTypes].sort()).toEqual(['bounce', 'complaint', 'delivery', 'open', 'reject', 'send']);
    const [topicId] = only(resources(data, 'AWS::SNS::Topic'));
    expect(d.SnsDestination.TopicARN).toEqual({ Ref: topicId });
  });

  it('encrypts the feedback topic with a rotating key that SES may use, and lets only this account\'s SES publish, for this configuration set', () => {
    const [keyId, key] = only(resources(data, 'AWS::KMS::Key'));
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    expect(key.Properties!.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'ses.amazonaws.com' },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': expect.objectContaining({ 'Fn::Join': expect.arrayContaining([expect.arrayContaining([`:configuration-set/pacific-news-dev`])]) }) },
          },
        }),
      ]),
    );
    data.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    data.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: { StringEquals: Match.objectLike({ 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } }) },
          }),
        ]),
      },
    });
  });

  it('outputs the three DKIM CNAME records to publish', () => {
    const outputs = Object.keys(data.findOutputs('*')).filter((id) => id.startsWith('DkimCname'));
    expect(outputs.sort()).toEqual(['DkimCname1', 'DkimCname2', 'DkimCname3']);
  });
});

describe('DataStack: editors (Cognito)', () => {
  const [poolId, pool] = only(resources(data, 'AWS::Cognito::UserPool'));

  it('lets nobody sign up, requires TOTP MFA and strong passwords, enforces threat protection, and is retained', () => {
    expect(pool.Properties.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    expect(pool.Properties.MfaConfiguration).toBe('ON');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(pool.Properties.UserPoolTier).toBe('PLUS');
    expect(pool.Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('has a public console client using the authorization code flow, calling back to the public site only', () => {
    data.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: poolId },
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [`${config.publicBaseUrl}/editor/callback`],
      LogoutURLs: [`${config.publicBaseUrl}/editor`],
      PreventUserExistenceErrors: 'ENABLED',
      SupportedIdentityProviders: ['COGNITO'],
    });
    data.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'editors', UserPoolId: { Ref: poolId } });
    data.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: `pacific-news-${config.stage}-editors`, UserPoolId: { Ref: poolId } });
  });
});
