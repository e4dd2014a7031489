// What a send holds while it is in flight: the send queue with its dead-letter queue, and the group of one-off
// schedules of editions sent later. They live in the stateful stack: replacing the stateless app stack must never
// drop queued recipients or a pending schedule.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { senderTimeoutSeconds } from '../sizing.js';

export const sendMaxReceiveCount = 5;

export class SendState extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly editionScheduleGroup: scheduler.ScheduleGroup;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    this.deadLetterQueue = new sqs.Queue(this, 'SendDeadLetters', {
      queueName: `${config.prefix}-send-dlq`,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'SendQueue', {
      queueName: `${config.prefix}-send`,
      // AWS's guidance for Lambda consumers: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(senderTimeoutSeconds * 6),
      retentionPeriod: Duration.days(4),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: sendMaxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // One-off schedules of editions sent later: created (and deleted) by the HTTP Lambda in this group only.
    this.editionScheduleGroup = new scheduler.ScheduleGroup(this, 'EditionSchedules', {
      scheduleGroupName: `${config.prefix}-editions`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
