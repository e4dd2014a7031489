// The site's CDN: CloudFront in front of the one HTTP API (pages, API, feeds), with a feed cache policy. Feeds in AWS
// are served by the same Lambda, behind CloudFront. Chosen over rendering to S3 on ingest because
// (1) there are 4 countries x ~9 topics x 3 formats plus archive pages: rendering them all on every ingest writes
// hundreds of objects, most of which nobody polls, while a lazily cached response costs one render per scope per
// TTL; (2) the Lambda already answers ETag / If-None-Match with a 304 from a small head record, so CloudFront's
// revalidation of a stale object costs a key lookup and no rendering; (3) one code path locally and in AWS.
// Freshness: the cache keeps a feed at most `feedMaxTtl` (5 min by default, never more than one ingest cycle), so a
// new item is visible within one ingest cycle. Readers' own conditional GETs are answered by CloudFront.
import { Duration, Stack, type SecretValue } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { acknowledge } from './nag.js';
import { ingestInterval } from './ingest.js';

export const feedDefaultTtl = Duration.minutes(5);
/** Set by CloudFront on every origin request; the app refuses requests without it (nobody reaches the API around the CDN). */
export const originVerifyHeader = 'X-Origin-Verify';
/** Set by a CloudFront Function from the connection's address; a viewer's own value is overwritten, never trusted. */
export const viewerAddressHeader = 'X-Viewer-Address';

// CloudFront Functions (cloudfront-js-2.0): runs at the edge on each viewer request, before the cache.
const viewerAddressFunction = `function handler(event) {
  var request = event.request;
  request.headers['${viewerAddressHeader.toLowerCase()}'] = { value: event.viewer.ip };
  return request;
}`;
export const feedMaxTtl = ingestInterval;

export class SiteCdn extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly feedCachePolicy: cloudfront.CachePolicy;

  constructor(scope: Construct, id: string, props: { config: StageConfig; api: apigw.IHttpApi; originSecret: SecretValue }) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    const origin = new origins.HttpOrigin(`${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // A secret only CloudFront sends (a Secrets Manager dynamic reference: the value is never in the template).
      customHeaders: { [originVerifyHeader]: props.originSecret.unsafeUnwrap() },
    });
    const viewerAddress = new cloudfront.Function(this, 'ViewerAddress', {
      comment: 'Puts the viewer address in X-Viewer-Address (overwriting any value the viewer sent)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(viewerAddressFunction),
    });
    const viewerRequest = [{ function: viewerAddress, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }];

    this.feedCachePolicy = new cloudfront.CachePolicy(this, 'FeedCachePolicy', {
      cachePolicyName: `${config.prefix}-feeds`,
      comment: 'Feeds: short TTL, revalidated with ETag; no cookies or headers in the key',
      minTtl: Duration.seconds(0),
      defaultTtl: feedDefaultTtl,
      maxTtl: feedMaxTtl,
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      // Archive pages (RFC 5005) are addressed by ?page=; nothing else a reader adds may split the cache.
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList('page'),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    // Pages and API: never cached (forms, signed links, editor); the app sets its own security headers and CORS.
    const dynamic: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      functionAssociations: viewerRequest,
    };
    const certificate = config.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', config.certificateArn) : undefined;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${config.prefix}: feeds, pages and API`,
      // South America is only in the "All" price class.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(certificate && config.domainName
        ? { certificate, domainNames: [config.domainName], minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 }
        : {}),
      defaultBehavior: dynamic,
      additionalBehaviors: {
        '/feeds/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
          cachePolicy: this.feedCachePolicy,
          compress: true,
        },
        // Stylesheet and script: the app sends them with a long max-age; CloudFront keeps them at the edge.
        '/assets/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          compress: true,
        },
        '/api/*': dynamic,
      },
    });

    const suppressions: Parameters<typeof acknowledge>[1][] = [
      { id: 'AwsSolutions-CFR1', reason: 'Public news for readers anywhere: no geo restriction.' },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'No WAF: abuse is bounded by the HTTP API stage throttling and the app\'s per-IP limits on subscribe; add a WebACL if traffic warrants it.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'No CloudFront access logs: they would hold readers\' IPs; API Gateway access logs (no query strings) cover origin traffic.',
      },
    ];
    if (!certificate) {
      suppressions.push({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain the default *.cloudfront.net certificate is used, whose policy CloudFront fixes; set domainName + certificateArn for TLS 1.2_2021.',
      });
    }
    acknowledge(this.distribution, ...suppressions);
  }
}
