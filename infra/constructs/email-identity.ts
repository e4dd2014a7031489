// The sending side of SES that outlives deployments: the domain identity (Easy DKIM 2048-bit, custom MAIL FROM for
// SPF alignment), the configuration set every message goes through, and the SNS topic that receives its events
// (bounce, complaint, delivery, reject, send). DMARC is a DNS record only: docs/deploy.md says what to publish.
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';

/** What a sending Lambda needs to know about the identity (see NewsFunction.useEmailSending). */
export interface EmailIdentityRefs {
  readonly senderEmail: string;
  readonly identityArn: string;
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
}

/** The SES events the feedback handler consumes. Open events (SES adds its pixel to messages of this configuration set)
 *  feed the editions' open aggregates, shown as overstated; no click events: clicks go through our own redirect. */
export const feedbackEvents = [
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.OPEN,
];

export class EmailIdentity extends Construct implements EmailIdentityRefs {
  readonly senderEmail: string;
  readonly identityArn: string;
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  /** SES event destination: encrypted with a customer key that SES may use (SES cannot use the AWS-managed SNS key). */
  readonly feedbackTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: config.prefix,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      maxDeliveryDuration: Duration.hours(12),
    });

    this.identity = new ses.EmailIdentity(this, 'Domain', {
      identity: ses.Identity.domain(config.senderDomain),
      configurationSet: this.configurationSet,
      dkimSigning: true,
      dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
      mailFromDomain: `${config.mailFromSubdomain}.${config.senderDomain}`,
      mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
      // Bounces and complaints arrive as events on the topic; no feedback emails to the sender address.
      feedbackForwarding: false,
    });

    const key = new kms.Key(this, 'FeedbackKey', {
      description: `${config.prefix}: encrypts SES feedback events (they carry recipient addresses)`,
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToPublishEncrypted',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        // Only SES publishing for this configuration set, in this account.
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: config.prefix }) },
        },
      }),
    );
    this.feedbackTopic = new sns.Topic(this, 'FeedbackTopic', {
      topicName: `${config.prefix}-ses-feedback`,
      masterKey: key,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('ToSns', {
      configurationSetEventDestinationName: 'feedback-to-sns',
      destination: ses.EventDestination.snsTopic(this.feedbackTopic),
      events: feedbackEvents,
    });

    this.senderEmail = config.senderEmail;
    this.identityArn = this.identity.emailIdentityArn;
    this.configurationSetName = this.configurationSet.configurationSetName;
    this.configurationSetArn = stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSetName });
    // Deleting the stack must not lose the DKIM keys and the sending reputation built on them.
    this.identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.configurationSet.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // The DNS records to publish (docs/deploy.md): three DKIM CNAMEs; MAIL FROM MX/TXT and DMARC are documented.
    this.identity.dkimRecords.forEach((record, i) => {
      new CfnOutput(stack, `DkimCname${i + 1}`, { value: `${record.name} CNAME ${record.value}`, description: 'Easy DKIM record' });
    });
  }
}
