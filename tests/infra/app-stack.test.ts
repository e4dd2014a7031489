// The stateless stack: six Lambdas (nodejs22.x, arm64, JSON logs with retention, tracing), env names that
// lambdas/config.ts knows, the schedules, the send queue with its DLQ, the HTTP API's throttling, the CDN in front
// of it (feeds cached briefly and revalidated, API and pages never cached) and the alarms.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { handlerNames } from '../../infra/constructs/news-function.js';
import { envSchema } from '../../lambdas/config.js';
import { functionId, functionProps, only, resources, show, synth } from './support.js';
import { senderSizing, type SenderSizing } from '../../infra/sizing.js';

const { app_: t, data, config } = synth();
/** A reference from the app stack to a resource of the data stack (a cross-stack import naming its logical id). */
const imports = (value: unknown, logicalId: string) => JSON.stringify(value).includes('Fn::ImportValue') && JSON.stringify(value).includes(logicalId);
const prefix = `pacific-news-${config.stage}`;

describe('AppStack: Lambdas', () => {
  it('has one function per handler entry, and no other', () => {
    const names = resources(t, 'AWS::Lambda::Function').map(([, f]) => f.Properties!.FunctionName);
    expect(names.sort()).toEqual(handlerNames.map((h) => `${prefix}-${h}`).sort());
  });

  it.each(handlerNames)('%s runs nodejs22.x on arm64 with JSON logs, tracing and its own log group with retention', (handler) => {
    const fn = functionProps(t, handler);
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    expect(fn.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
    const groupId = fn.LoggingConfig.LogGroup.Ref as string;
    const group = t.toJSON().Resources[groupId];
    expect(group.Properties).toMatchObject({ LogGroupName: `/aws/lambda/${prefix}-${handler}`, RetentionInDays: config.logRetentionDays });
  });

  it('sets only env variables that lambdas/config.ts declares (plus Powertools and Node settings)', () => {
    const known = new Set([...Object.keys(envSchema.shape), 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS']);
    for (const handler of handlerNames) {
      const names = Object.keys(functionProps(t, handler).Environment.Variables);
      expect(names.filter((n) => !known.has(n)), handler).toEqual([]);
    }
  });

  it('gives each function the env its handler reads', () => {
    const env = (h: string) => functionProps(t, h).Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env('ingest-schedule'))).toEqual(expect.arrayContaining(['TABLE_NAME', 'SOURCES', 'PUBLIC_BASE_URL']));
    expect(env('ingest-schedule').ALLOW_LOOPBACK_SOURCES).toBe('false');
    expect(Object.keys(env('http-api'))).toEqual(
      expect.arrayContaining([
        'TABLE_NAME',
        'SENDER_EMAIL',
        'PUBLIC_BASE_URL',
        'FEED_PAGE_SIZE',
        'SES_CONFIGURATION_SET',
        'EDITOR_TOKEN_PARAMETER',
        'SIGNING_SECRET_PARAMETER',
        'SEND_PLANNER_FUNCTION',
        'EDITION_SCHEDULE_GROUP',
        'EDITION_SCHEDULER_ROLE_ARN',
      ]),
    );
    expect(env('http-api').PUBLIC_BASE_URL).toBe(config.publicBaseUrl);
    expect(Object.keys(env('http-api'))).toEqual(expect.arrayContaining(['EDITOR_USER_POOL_ID', 'EDITOR_USER_POOL_CLIENT_ID', 'EDITOR_SIGN_IN_URL']));
    expect(env('http-api').EDITOR_TOKEN_PARAMETER).toBe(`/pacific-news/${config.stage}/editor-token`);
    expect(Object.keys(env('send-planner'))).toEqual(expect.arrayContaining(['TABLE_NAME', 'SEND_QUEUE_URL', 'SIGNING_SECRET_PARAMETER']));
    expect(Object.keys(env('send-batch'))).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'SENDER_EMAIL', 'SES_CONFIGURATION_SET', 'SES_MAX_SEND_RATE', 'SIGNING_SECRET_PARAMETER']),
    );
    // The account's rate is shared by the concurrent senders.
    expect(Number(env('send-batch').SES_MAX_SEND_RATE)).toBeCloseTo(config.sesMaxSendRate / config.sendConcurrency, 2);
    expect(Object.keys(env('ses-feedback'))).toContain('TABLE_NAME');
  });

  it('reserves no concurrency in the default (dev) stage, so a fresh account with a quota of 10 can deploy', () => {
    for (const handler of handlerNames) expect(functionProps(t, handler).ReservedConcurrentExecutions, handler).toBeUndefined();
  });
});

describe('AppStack: schedules', () => {
  const schedules = resources(t, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties!);
  const byName = (suffix: string) => schedules.find((s) => String(s.Name).endsWith(suffix))!;

  it('polls the sources every 15 minutes', () => {
    const s = byName('IngestEvery15Minutes');
    expect(s.ScheduleExpression).toBe('rate(15 minutes)');
    expect(s.State).toBe('ENABLED');
    expect(show(s.Target.Arn)).toContain(functionId(t, 'ingest-schedule'));
  });

  it('runs the daily and weekly digests in the configured time zone, telling the handler which one', () => {
    const daily = byName('DailyDigest');
    const weekly = byName('WeeklyDigest');
    expect(daily.ScheduleExpression).toBe(`cron(0 ${config.digestHour} * * ? *)`);
    expect(weekly.ScheduleExpression).toBe(`cron(0 ${config.digestHour} ? * MON *)`);
    for (const s of [daily, weekly]) {
      expect(s.ScheduleExpressionTimezone).toBe(config.digestTimeZone);
      expect(show(s.Target.Arn)).toContain(functionId(t, 'digest-schedule'));
    }
    expect(JSON.parse(daily.Target.Input)).toEqual({ frequency: 'daily' });
    expect(JSON.parse(weekly.Target.Input)).toEqual({ frequency: 'weekly' });
  });

  it('retries each target and sends what still fails to the failed-invocations queue', () => {
    const [dlqId] = only(resources(t, 'AWS::SQS::Queue').filter(([, q]) => q.Properties!.QueueName === `${prefix}-failed-invocations`));
    for (const s of schedules) {
      expect(s.Target.RetryPolicy.MaximumRetryAttempts).toBe(2);
      expect(s.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    }
  });

  it('gives every schedule its own role, assumable only by Scheduler from this account', () => {
    const roles = new Set(schedules.map((s) => show(s.Target.RoleArn)));
    expect(roles.size).toBe(schedules.length);
    for (const s of schedules) {
      const role = t.toJSON().Resources[s.Target.RoleArn['Fn::GetAtt'][0]];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        }),
      ]);
    }
  });

  it('has a schedule group for editions sent later, kept in the stateful stack', () => {
    data.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: `${prefix}-editions` });
  });
});

describe('send queue (in the stateful stack, so replacing the app stack never drops queued recipients)', () => {
  const queue = (name: string) => resources(data, 'AWS::SQS::Queue').find(([, q]) => q.Properties!.QueueName === name)!;

  it('redrives to a dead-letter queue after 5 receives; both encrypted, retention long enough to investigate', () => {
    const [dlqId, dlq] = queue(`${prefix}-send-dlq`);
    const [, send] = queue(`${prefix}-send`);
    expect(send.Properties!.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 });
    expect(send.Properties!.SqsManagedSseEnabled).toBe(true);
    expect(dlq.Properties!.SqsManagedSseEnabled).toBe(true);
    expect(dlq.Properties!.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('keeps a message invisible for six times the sender timeout', () => {
    const [, send] = queue(`${prefix}-send`);
    expect(send.Properties!.VisibilityTimeout).toBe(6 * functionProps(t, 'send-batch').Timeout);
  });

  it('feeds the sender in batches with partial batch failures and a bounded concurrency', () => {
    const [sendId] = queue(`${prefix}-send`);
    const [, mapping] = only(resources(t, 'AWS::Lambda::EventSourceMapping'));
    expect(imports(mapping.Properties!.EventSourceArn, sendId)).toBe(true);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(t, 'send-batch') },
      BatchSize: (senderSizing(config) as SenderSizing).batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: config.sendConcurrency },
    });
  });

  it('refuses plain-HTTP access to every queue', () => {
    for (const [, policy] of resources(t, 'AWS::SQS::QueuePolicy')) {
      expect(policy.Properties!.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  it('sends what still fails after retries in every asynchronously invoked Lambda (schedules, SNS, async starts) to the failed-invocations queue', () => {
    const [dlqId] = resources(t, 'AWS::SQS::Queue').find(([, q]) => q.Properties!.QueueName === `${prefix}-failed-invocations`)!;
    expect(resources(t, 'AWS::Lambda::EventInvokeConfig')).toHaveLength(4);
    for (const handler of ['ingest-schedule', 'digest-schedule', 'send-planner', 'ses-feedback']) {
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId(t, handler) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
      });
    }
  });
});

describe('AppStack: SES feedback', () => {
  it('subscribes the feedback Lambda to the configuration set\'s topic', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [functionId(t, 'ses-feedback'), 'Arn'] },
      TopicArn: { 'Fn::ImportValue': Match.stringLikeRegexp('FeedbackTopic') },
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId(t, 'ses-feedback'), 'Arn'] },
    });
  });
});

describe('AppStack: HTTP API', () => {
  it('sends every route to the one HTTP Lambda (payload v2)', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [functionId(t, 'http-api'), 'Arn'] },
    });
  });

  it('throttles the stage and writes JSON access logs without query strings', () => {
    const [, stage] = only(resources(t, 'AWS::ApiGatewayV2::Stage'));
    expect(stage.Properties!.StageName).toBe('$default');
    expect(stage.Properties!.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: config.apiThrottleRate,
      ThrottlingBurstLimit: config.apiThrottleBurst,
    });
    const format = JSON.parse(stage.Properties!.AccessLogSettings.Format);
    expect(format.requestId).toBe('$context.requestId');
    expect(stage.Properties!.AccessLogSettings.Format).not.toMatch(/querystring|header|context\.path/i);
  });

  it('keeps its Lambda under API Gateway\'s 30 s limit', () => {
    expect(functionProps(t, 'http-api').Timeout).toBeLessThan(30);
  });
});

describe('AppStack: CDN', () => {
  const [, distribution] = only(resources(t, 'AWS::CloudFront::Distribution'));
  const dc = distribution.Properties!.DistributionConfig;
  const [feedPolicyId, feedPolicy] = only(resources(t, 'AWS::CloudFront::CachePolicy'));
  const behavior = (pattern: string) => dc.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === pattern);

  it('caches feeds briefly (within one ingest cycle), compressed, keyed on path and query only', () => {
    const p = feedPolicy.Properties!.CachePolicyConfig;
    expect(p.DefaultTTL).toBe(300);
    expect(p.MaxTTL).toBeLessThanOrEqual(15 * 60);
    expect(p.MinTTL).toBe(0);
    const key = p.ParametersInCacheKeyAndForwardedToOrigin;
    expect(key.CookiesConfig.CookieBehavior).toBe('none');
    expect(key.HeadersConfig.HeaderBehavior).toBe('none');
    expect(key.EnableAcceptEncodingGzip && key.EnableAcceptEncodingBrotli).toBe(true);
    const feeds = behavior('/feeds/*');
    expect(feeds.CachePolicyId).toEqual({ Ref: feedPolicyId });
    expect(feeds.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(feeds.Compress).toBe(true);
  });

  it('never caches the API or the pages, and forwards everything but Host to the HTTP API', () => {
    const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
    const allViewerExceptHost = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
    for (const b of [behavior('/api/*'), dc.DefaultCacheBehavior]) {
      expect(b.CachePolicyId).toBe(cachingDisabled);
      expect(b.OriginRequestPolicyId).toBe(allViewerExceptHost);
      expect(b.AllowedMethods).toContain('POST');
      expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
    }
  });

  it('reaches the HTTP API over TLS 1.2 only, from every edge (South America included)', () => {
    expect(dc.Origins).toHaveLength(1);
    expect(show(dc.Origins[0].DomainName)).toContain('execute-api');
    expect(dc.Origins[0].CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(dc.PriceClass).toBe('PriceClass_All');
  });
});

describe('AppStack: alarms', () => {
  const alarms = resources(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
  const [alarmTopicId] = only(resources(t, 'AWS::SNS::Topic'));

  it('alarms as soon as the send DLQ holds a message', () => {
    const [dlqId] = only(resources(data, 'AWS::SQS::Queue').filter(([, q]) => q.Properties!.QueueName === `${prefix}-send-dlq`));
    const dlqAlarm = only(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && imports(a.Dimensions, dlqId)));
    expect(dlqAlarm).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms on SES bounce and complaint rates before SES\'s review thresholds (5 %, 0.1 %)', () => {
    const bounce = alarms.find((a) => a.MetricName === 'Reputation.BounceRate')!;
    const complaint = alarms.find((a) => a.MetricName === 'Reputation.ComplaintRate')!;
    expect(bounce.Namespace).toBe('AWS/SES');
    expect(bounce.Threshold).toBeGreaterThan(0);
    expect(bounce.Threshold).toBeLessThan(0.05);
    expect(complaint.Threshold).toBeGreaterThan(0);
    expect(complaint.Threshold).toBeLessThan(0.001);
  });

  it('alarms on 5xx answers of the HTTP API', () => {
    const [apiId] = only(resources(t, 'AWS::ApiGatewayV2::Api'));
    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Namespace: 'AWS/ApiGateway',
          MetricName: '5xx',
          Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }],
          Statistic: 'Sum',
          Threshold: 5,
        }),
      ]),
    );
  });

  it('notifies the alarm topic from every alarm', () => {
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
  });
});
