// A production-like stage: concurrency reserved where it matters, the custom domain on CloudFront with a modern TLS
// policy, alarm e-mails, termination protection; still cdk-nag clean (without the default-certificate exception).
// Its first deploy happens before SES production access is granted, so it runs with sesSandbox on.
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { functionProps, only, resources, resourcesOf, show, statementsOfFunction, synth } from './support.js';

const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const { app, app_: t, stacks, config } = synth({
  stage: 'prod',
  account: '123456789012',
  region: 'sa-east-1',
  domainName: 'news.example.org',
  certificateArn,
  alarmEmail: 'ops@example.org',
  sendConcurrency: '4',
  sesMaxSendRate: '40',
  sesSandbox: 'true',
});

describe('prod stage', () => {
  it('reserves concurrency: one ingest run at a time, two planners, senders up to the queue\'s max concurrency', () => {
    expect(config.reserveConcurrency).toBe(true);
    expect(functionProps(t, 'ingest-schedule').ReservedConcurrentExecutions).toBe(1);
    expect(functionProps(t, 'send-planner').ReservedConcurrentExecutions).toBe(2);
    expect(functionProps(t, 'send-batch').ReservedConcurrentExecutions).toBe(4);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 4 } });
    expect(functionProps(t, 'send-batch').Environment.Variables.SES_MAX_SEND_RATE).toBe('10');
  });

  it('serves the custom domain with the given certificate and TLS 1.2 (2021) at least', () => {
    const [, distribution] = only(resources(t, 'AWS::CloudFront::Distribution'));
    const dc = distribution.Properties.DistributionConfig;
    expect(dc.Aliases).toEqual(['news.example.org']);
    expect(dc.ViewerCertificate).toMatchObject({ AcmCertificateArn: certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
  });

  it('in the SES sandbox, lets the two sending Lambdas send to verified recipient identities of this account only', () => {
    for (const handler of ['http-api', 'send-batch']) {
      const resources = show(resourcesOf(statementsOfFunction(t, handler), 'ses:SendEmail'));
      expect(resources).toContain(':ses:sa-east-1:123456789012:identity/*');
    }
    for (const handler of ['ingest-schedule', 'send-planner', 'digest-schedule', 'ses-feedback']) {
      expect(resourcesOf(statementsOfFunction(t, handler), 'ses:SendEmail')).toEqual([]);
    }
  });

  it('mails alarms to the operators', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
  });

  it('deploys to the configured account and region, and protects the data stack from deletion', () => {
    expect(stacks.data.account).toBe('123456789012');
    expect(stacks.app.region).toBe('sa-east-1');
    expect(stacks.data.terminationProtection).toBe(true);
  });

  it('is cdk-nag clean with no default-certificate exception', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.keys(m.data as object)));
    expect(acknowledged.some((id) => id.includes('CFR4'))).toBe(false);
  });
});
