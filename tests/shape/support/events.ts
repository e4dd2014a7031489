// Events shaped as the AWS services deliver them to a function.
import { randomUUID } from 'node:crypto';
import { account, region } from './assembly.js';
import { sqsRecord } from '../../../lambdas/local/queue.js';
import type { QueuedMessage } from './aws-standins.js';

export interface HttpRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  sourceIp?: string;
}

/** API Gateway HTTP API, payload format 2.0 (headers lower case, cookies apart, query parsed and raw). */
export function apiGatewayV2Event(req: HttpRequest, route: { routeKey: string; pathParameters?: Record<string, string> }) {
  const url = new URL(req.path, 'https://api.invalid');
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = k in query ? `${query[k]},${v}` : v));
  const now = new Date();
  const sourceIp = req.sourceIp ?? '130.176.0.10'; // API Gateway sees CloudFront's edge, not the viewer
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': sourceIp, ...headers },
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: account,
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: req.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body !== undefined ? { body: Buffer.from(req.body).toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

/** An SQS event source mapping's batch (attributes as Lambda passes them). */
export function sqsEvent(queueArn: string, messages: QueuedMessage[]) {
  return {
    Records: messages.map((m) => sqsRecord(m, { queueArn, region, senderId: 'AROAEXAMPLE' })),
  };
}

/** SNS delivering one message to a Lambda subscription. */
export function snsEvent(topicArn: string, message: unknown) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topicArn,
          Subject: null,
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}
