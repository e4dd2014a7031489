// infra/config.ts: the stage configuration read from CDK context, validated with messages that name the key.
import { describe, expect, it } from 'vitest';
import { parseStageConfig, StageConfigError } from '../../infra/config.js';
import { assertHandlerEntriesExist, type HandlerName, MissingHandlerError } from '../../infra/constructs/news-function.js';

const base = { stage: 'dev', senderEmail: 'news@example.org', senderDomain: 'example.org', publicBaseUrl: 'https://news.example.org/' };

describe('stage config', () => {
  it('fills defaults and derives names from the stage', () => {
    const c = parseStageConfig(base);
    expect(c).toMatchObject({
      prefix: 'pacific-news-dev',
      publicBaseUrl: 'https://news.example.org',
      feedPageSize: 50,
      sendConcurrency: 2,
      reserveConcurrency: false,
      skipBundling: false,
      mailFromSubdomain: 'mail',
      editorTokenParameter: '/pacific-news/dev/editor-token',
      signingSecretParameter: '/pacific-news/dev/signing-secret',
      sources: [],
    });
    expect(parseStageConfig({ ...base, stage: 'prod', alarmEmail: 'ops@example.org' }).reserveConcurrency).toBe(true);
  });

  it('accepts command-line strings (-c key=value) as well as JSON values', () => {
    const c = parseStageConfig({
      ...base,
      skipBundling: 'true',
      reserveConcurrency: '0',
      feedPageSize: '20',
      sources: '[{"url":"https://example.org/feed.xml","defaultCountries":["cl"]}]',
    });
    expect(c.skipBundling).toBe(true);
    expect(c.reserveConcurrency).toBe(false);
    expect(c.feedPageSize).toBe(20);
    expect(c.sources).toEqual([{ url: 'https://example.org/feed.xml', defaultCountries: ['cl'] }]);
  });

  it.each([
    [{ senderEmail: 'news@other.org' }, /senderEmail: must be an address at senderDomain/],
    [{ publicBaseUrl: 'http://news.example.org' }, /publicBaseUrl: an https:\/\/ URL/],
    [{ stage: 'Prod!' }, /stage: lower-case letters/],
    [{ sources: 'not json' }, /sources: a JSON list/],
    [{ sendConcurrency: '1' }, /sendConcurrency/],
    [{ logRetentionDays: 10 }, /logRetentionDays: one of 1, 3, 5/],
    [{ domainName: 'news.example.org' }, /domainName: domainName and certificateArn go together/],
    [{ certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc', domainName: 'news.example.org' }, /certificateArn: an ACM certificate ARN in us-east-1/],
    [{ editorAuthDomainPrefix: 'my-cognito-login' }, /editorAuthDomainPrefix: must not contain aws, amazon or cognito/],
    [{ stage: 'prod' }, /alarmEmail: required for prod/],
    [{ sesMaxSendRate: '14', sendConcurrency: '1000' }, /sendConcurrency: with 1000 senders each gets 0.014 messages\/s .* set sendConcurrency to at most 16/],
  ])('refuses %j naming the key', (override, message) => {
    expect(() => parseStageConfig({ ...base, ...override })).toThrow(StageConfigError);
    expect(() => parseStageConfig({ ...base, ...override })).toThrow(message);
  });

  it('requires the sender and the public URL', () => {
    expect(() => parseStageConfig({ stage: 'dev' })).toThrow(/senderEmail.*senderDomain.*publicBaseUrl|senderEmail/);
  });
});

describe('bundling guard', () => {
  it('names every missing handler entry in one message and says how to synthesise without bundling', () => {
    const missing = ['no-such-handler', 'nor-this-one'] as unknown as HandlerName[];
    expect(() => assertHandlerEntriesExist(missing)).toThrow(MissingHandlerError);
    expect(() => assertHandlerEntriesExist(missing)).toThrow(
      'missing handler entries lambdas/handlers/no-such-handler.ts, lambdas/handlers/nor-this-one.ts. Write them, or synthesise without bundling: npx cdk synth -c skipBundling=true',
    );
  });
});
