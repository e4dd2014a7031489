// Stateless resources: every Lambda, the HTTP API and its CDN, the recurring schedules and the alarms. It takes the
// table, the SES identity and the send queue from the DataStack; it can be destroyed and redeployed without data loss.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import type { EditorAuthRefs } from '../constructs/editor-auth.js';
import type { EmailIdentity } from '../constructs/email-identity.js';
import type { SendState } from '../constructs/send-state.js';
import { SiteCdn } from '../constructs/site-cdn.js';
import { HttpApi } from '../constructs/http-api.js';
import { Ingest } from '../constructs/ingest.js';
import { Operations } from '../constructs/operations.js';
import { Sending } from '../constructs/sending.js';
import { Subscriptions } from '../constructs/subscriptions.js';
import { acknowledge } from '../constructs/nag.js';

export interface AppStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: ITable;
  readonly email: EmailIdentity;
  readonly editorAuth: EditorAuthRefs;
  readonly sendState: SendState;
}

export class AppStack extends Stack {
  readonly ops: Operations;
  readonly ingest: Ingest;
  readonly subscriptions: Subscriptions;
  readonly sending: Sending;
  readonly http: HttpApi;
  readonly cdn: SiteCdn;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, table, email } = props;

    this.ops = new Operations(this, 'Operations', { config });
    this.ingest = new Ingest(this, 'Ingest', { config, table, ops: this.ops });
    this.subscriptions = new Subscriptions(this, 'Subscriptions', { config, table, feedbackTopic: email.feedbackTopic, ops: this.ops });
    this.sending = new Sending(this, 'Sending', { config, table, email, ops: this.ops, state: props.sendState });
    // Shared by CloudFront (sent on every origin request) and the HTTP Lambda (which refuses requests without it).
    const originSecret = new secretsmanager.Secret(this, 'OriginVerifySecret', {
      description: `${config.prefix}: the X-Origin-Verify value CloudFront sends to the API`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledge(originSecret, {
      id: 'AwsSolutions-SMG4',
      reason: 'Not a credential of a service that rotates: regenerate it by replacing the secret; CloudFront and the Lambda read the new value on the next deploy and cold start.',
    });
    this.http = new HttpApi(this, 'Http', { config, table, email, sending: this.sending, editorAuth: props.editorAuth, ops: this.ops, originSecret });
    // The construct id stays 'Feeds': renaming it would replace the live distribution.
    this.cdn = new SiteCdn(this, 'Feeds', { config, api: this.http.api, originSecret: originSecret.secretValue });

    for (const fn of [this.ingest.fn, this.subscriptions.feedback, this.sending.planner, this.sending.digest, this.http.fn]) this.ops.alarmOnFunction(fn);
    this.ops.alarmOnFunction(this.sending.sender, { durationNearTimeout: true });
    this.ops.alarmOnQueueAge('SendQueueAgeAlarm', this.sending.queue, Duration.minutes(30), 'A send batch has waited over 30 minutes: senders are failing, throttled or paused.');
    this.ops.alarmOnTableThrottling(table);

    new CfnOutput(this, 'DistributionDomain', {
      value: this.cdn.distribution.distributionDomainName,
      description: 'CloudFront domain: point your DNS here, or use it as publicBaseUrl',
    });
    new CfnOutput(this, 'ApiEndpoint', { value: this.http.api.apiEndpoint, description: 'HTTP API (origin of CloudFront)' });
  }
}
