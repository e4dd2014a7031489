// The one HTTP app (Hono) behind an API Gateway HTTP API: /api/*, /feeds/*, the pages and the editor console.
// Throttled on the stage; access logs in JSON. Editor auth is checked inside the app (bearer token from SSM; Cognito
// JWT when configured), so the routes carry no API Gateway authorizer.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigwv1 from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { brandEnvironment, type StageConfig } from '../config.js';
import { acknowledge } from './nag.js';
import type { EditorAuthRefs } from './editor-auth.js';
import type { EmailIdentityRefs } from './email-identity.js';
import { NewsFunction } from './news-function.js';
import type { Operations } from './operations.js';
import type { Sending } from './sending.js';

export interface HttpApiProps {
  readonly config: StageConfig;
  readonly table: ITable;
  readonly email: EmailIdentityRefs;
  readonly sending: Sending;
  readonly editorAuth: EditorAuthRefs;
  readonly ops: Operations;
  /** The value CloudFront sends in X-Origin-Verify: requests without it are refused by the app. */
  readonly originSecret: secretsmanager.ISecret;
}

/** One-click unsubscribe (RFC 8058) gets its own throttle: a send day's page and API traffic cannot starve it. */
export const unsubscribeRoute = 'POST /u/{token}';
export const unsubscribeThrottle = { rateLimit: 200, burstLimit: 400 };

export class HttpApi extends Construct {
  readonly fn: NewsFunction;
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly serverErrorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const { config } = props;

    this.fn = new NewsFunction(this, 'Function', {
      config,
      handler: 'http-api',
      description: 'The HTTP app: API, feeds, pages, editor console',
      // API Gateway gives up after 30 s.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      withTemplates: true,
      environment: {
        PUBLIC_BASE_URL: config.publicBaseUrl,
        FEED_PAGE_SIZE: String(config.feedPageSize),
        SOURCES: JSON.stringify(config.sources),
        ALLOW_LOOPBACK_SOURCES: 'false',
        ...brandEnvironment(config),
        ...(config.websubHubUrl ? { WEBSUB_HUB_URL: config.websubHubUrl } : {}),
        // Public identifiers (no secret): the app verifies editors' JWTs against this pool and client.
        EDITOR_USER_POOL_ID: props.editorAuth.userPoolId,
        EDITOR_USER_POOL_CLIENT_ID: props.editorAuth.userPoolClientId,
        EDITOR_SIGN_IN_URL: props.editorAuth.signInUrl,
      },
    })
      .useTable(props.table, {
        // The API and the console: every concern's rows but the delivery claims (only senders and SES feedback write them).
        actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'],
        partitions: ['items', 'itemGuids', 'scopeHeads', 'sources', 'subscribers', 'addresses', 'suppression', 'rateCounters', 'editorSessions', 'editions', 'taxonomy', 'engagementCounts', 'subscriberStats'],
        listings: true,
      })
      .useEmailSending(props.email, { sandbox: config.sesSandbox })
      .useSecretParameter('EDITOR_TOKEN_PARAMETER', config.editorTokenParameter)
      .useSecretParameter('SIGNING_SECRET_PARAMETER', config.signingSecretParameter);
    props.sending.allowStartingSends(this.fn);
    // Resuming a paused edition re-enqueues its parked chunks from this function.
    this.fn.useSendQueue(props.sending.queue);
    this.fn.addEnvironment('ORIGIN_VERIFY_SECRET_ARN', props.originSecret.secretArn);
    props.originSecret.grantRead(this.fn);

    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: config.prefix,
      description: 'Pacific news: API, feeds and pages (served through CloudFront)',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('App', this.fn, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
    });

    // Its own route, so the stage's route settings can give it its own throttle.
    this.api.addRoutes({
      path: '/u/{token}',
      methods: [apigw.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Unsubscribe', this.fn, { payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0 }),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${config.prefix}-http`,
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiThrottleRate, burstLimit: config.apiThrottleBurst },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        // No paths, query strings or headers: signed link tokens travel in them (/u/{token}, /confirm/{token}).
        format: apigwv1.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = {
      // A JSON map in CloudFormation: its keys are written as the template wants them.
      [unsubscribeRoute]: { ThrottlingRateLimit: unsubscribeThrottle.rateLimit, ThrottlingBurstLimit: unsubscribeThrottle.burstLimit },
    };

    this.serverErrorsAlarm = new cloudwatch.Alarm(this, 'ServerErrorsAlarm', {
      alarmName: `${config.prefix}-ServerErrorsAlarm`,
      alarmDescription: 'The HTTP API answered 5 or more 5xx in 5 minutes (app errors, Lambda errors or timeouts).',
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.serverErrorsAlarm.addAlarmAction(new actions.SnsAction(props.ops.alarmTopic));

    acknowledge(this.api, {
      id: 'AwsSolutions-APIG4',
      reason:
        'Public routes (feeds, pages, subscribe, one-click unsubscribe) need no auth by design; editor routes are authorised inside the app (bearer token or Cognito JWT), which serves both.',
    });
  }
}
