// The deployed shape's hardening: CloudFront is the only way in (secret origin header) and tells the app who the
// viewer is; feed and asset caching; one-click unsubscribe throttled on its own; resume can reach the send queue;
// senders sized so a batch fits its timeout; alarms; SES identity kept when a stack is deleted.
import { describe, expect, it } from 'vitest';
import { parseStageConfig } from '../../infra/config.js';
import { senderSizing, senderTimeoutSeconds, sendChunkSize, type SenderSizing } from '../../infra/sizing.js';
import { functionProps, only, resources, resourcesOf, show, statementsOfFunction, synth } from './support.js';

const { app_: t, data, config } = synth();
const distributionConfig = () => only(resources(t, 'AWS::CloudFront::Distribution'))[1].Properties.DistributionConfig;

describe('CloudFront in front of the API', () => {
  it('sends a secret origin header whose value comes from Secrets Manager, never the template', () => {
    const [secretId] = only(resources(t, 'AWS::SecretsManager::Secret'));
    const origin = distributionConfig().Origins[0];
    const header = only((origin.OriginCustomHeaders as { HeaderName: string; HeaderValue: unknown }[]).filter((h) => h.HeaderName === 'X-Origin-Verify'));
    expect(show(header.HeaderValue)).toContain('{{resolve:secretsmanager:');
    expect(show(header.HeaderValue)).toContain(secretId);
    // The HTTP Lambda reads the same secret to check the header.
    expect(show(functionProps(t, 'http-api').Environment.Variables.ORIGIN_VERIFY_SECRET_ARN)).toContain(secretId);
    expect(show(resourcesOf(statementsOfFunction(t, 'http-api'), 'secretsmanager:GetSecretValue'))).toContain(secretId);
  });

  it('puts the viewer address in X-Viewer-Address on every dynamic request, overwriting what the viewer sent', () => {
    const [fnId, fn] = only(resources(t, 'AWS::CloudFront::Function'));
    expect(fn.Properties.FunctionCode).toContain("request.headers['x-viewer-address'] = { value: event.viewer.ip }");
    const dc = distributionConfig();
    const uses = (b: { FunctionAssociations?: { FunctionARN: unknown; EventType: string }[] }) =>
      (b.FunctionAssociations ?? []).some((a) => a.EventType === 'viewer-request' && show(a.FunctionARN).includes(fnId));
    expect(uses(dc.DefaultCacheBehavior)).toBe(true);
    expect(uses(dc.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*'))).toBe(true);
  });

  it('keys feeds on ?page only, and caches /assets/* at the edge', () => {
    t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: { ParametersInCacheKeyAndForwardedToOrigin: { QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['page'] } } },
    });
    const assets = distributionConfig().CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/assets/*');
    expect(assets.CachePolicyId).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6'); // Managed-CachingOptimized
    expect(assets.AllowedMethods).toEqual(['GET', 'HEAD']);
  });

  it('gives one-click unsubscribe its own route and throttle', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /u/{token}' });
    const [, stage] = only(resources(t, 'AWS::ApiGatewayV2::Stage'));
    expect(stage.Properties.RouteSettings['POST /u/{token}']).toEqual({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
  });
});

describe('resume in AWS', () => {
  it('the HTTP Lambda, which resumes paused editions, has the send queue and may send to it', () => {
    const [queueId] = only(resources(data, 'AWS::SQS::Queue').filter(([, q]) => q.Properties.QueueName === `${config.prefix}-send`));
    expect(show(functionProps(t, 'http-api').Environment.Variables.SEND_QUEUE_URL)).toContain(queueId);
    expect(show(resourcesOf(statementsOfFunction(t, 'http-api'), 'sqs:SendMessage'))).toContain(queueId);
  });
});

describe('sender sizing', () => {
  const fits = (s: SenderSizing) => (s.batchSize * sendChunkSize) / s.perSenderRate <= senderTimeoutSeconds / 2;

  it.each([
    [14, 2],
    [14, 4],
    [40, 4],
    [1000, 50],
    [14, 16],
  ])('rate %d/s over %d senders: a full batch takes at most half the sender timeout', (rate, concurrency) => {
    const sizing = senderSizing({ sesMaxSendRate: rate, sendConcurrency: concurrency }) as SenderSizing;
    expect(sizing.batchSize).toBeGreaterThanOrEqual(1);
    expect(sizing.batchSize).toBeLessThanOrEqual(10);
    expect(fits(sizing)).toBe(true);
    // The senders together never exceed the account's rate.
    expect(sizing.perSenderRate * concurrency).toBeLessThanOrEqual(rate);
  });

  it('the synthesised event source and environment follow the sizing', () => {
    const sizing = senderSizing(config) as SenderSizing;
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: sizing.batchSize, ScalingConfig: { MaximumConcurrency: config.sendConcurrency } });
    expect(Number(functionProps(t, 'send-batch').Environment.Variables.SES_MAX_SEND_RATE)).toBe(sizing.perSenderRate);
    expect(functionProps(t, 'send-batch').Timeout).toBe(senderTimeoutSeconds);
    expect(functionProps(t, 'send-planner').Environment.Variables.SEND_CHUNK_SIZE).toBe(String(sendChunkSize));
  });

  it('refuses at synthesis a concurrency whose batches could not fit, naming what to change', () => {
    const base = { stage: 'dev', senderEmail: 'news@example.org', senderDomain: 'example.org', publicBaseUrl: 'https://news.example.org' };
    expect(() => parseStageConfig({ ...base, sesMaxSendRate: 14, sendConcurrency: 20 })).toThrow(/sendConcurrency: .*set sendConcurrency to at most 16/);
  });
});

describe('alarms and retention', () => {
  const alarms = resources(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const named = (suffix: string) => alarms.filter((a) => String(a.AlarmName).endsWith(suffix));

  it('alarms on every function\'s errors and throttles, the sender\'s duration, the send queue\'s age and table throttling', () => {
    for (const h of ['http-api', 'ingest-schedule', 'ses-feedback', 'send-planner', 'send-batch', 'digest-schedule']) {
      expect(named(`${h}-Errors`)).toHaveLength(1);
      expect(named(`${h}-Throttles`)).toHaveLength(1);
    }
    expect(only(named('send-batch-Duration')).Threshold).toBe(senderTimeoutSeconds * 1000 * 0.8);
    expect(only(named('SendQueueAgeAlarm')).MetricName).toBe('ApproximateAgeOfOldestMessage');
    expect(show(only(named('TableThrottlingAlarm')).Metrics)).toContain('WriteThrottleEvents');
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
  });

  it('keeps the SES identity and configuration set when the stack is deleted (DKIM keys and reputation)', () => {
    for (const type of ['AWS::SES::EmailIdentity', 'AWS::SES::ConfigurationSet']) {
      const [, r] = only(resources(data, type));
      expect(r.DeletionPolicy).toBe('Retain');
      expect(r.UpdateReplacePolicy).toBe('Retain');
    }
  });
});
