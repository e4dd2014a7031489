// Newsletters: the planner pages through confirmed subscribers and enqueues batches on the send queue; the sender
// consumes them (partial batch failures, a DLQ after 5 receives, SQS maxConcurrency as the account-wide rate limit);
// daily and weekly digests run on EventBridge Scheduler. Editions scheduled for later get a one-off schedule in
// their own schedule group, created by the HTTP Lambda through a role that may only invoke the planner.
import { Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { brandEnvironment, type StageConfig } from '../config.js';
import { digestFrequencies, type DigestFrequency } from '../../lambdas/core/subscriptions/model.js';
import { acknowledge } from './nag.js';
import type { EmailIdentityRefs } from './email-identity.js';
import { NewsFunction } from './news-function.js';
import { sendChunkSize, senderSizing, senderTimeoutSeconds } from '../sizing.js';
import type { Operations } from './operations.js';
import { sendMaxReceiveCount, type SendState } from './send-state.js';

export const senderTimeout = Duration.seconds(senderTimeoutSeconds);
/** SES reviews an account at 5 % bounces and 0.1 % complaints; alarm a little before. */
export const bounceRateThreshold = 0.04;
export const complaintRateThreshold = 0.0008;

export interface SendingProps {
  readonly config: StageConfig;
  readonly table: ITable;
  readonly email: EmailIdentityRefs;
  readonly ops: Operations;
  /** The queue and schedule group, kept in the stateful stack. */
  readonly state: SendState;
}

export class Sending extends Construct {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly planner: NewsFunction;
  readonly sender: NewsFunction;
  readonly digest: NewsFunction;
  readonly editionScheduleGroup: scheduler.ScheduleGroup;
  readonly editionSchedulerRole: iam.Role;
  readonly alarms: { deadLetters: cloudwatch.Alarm; bounceRate: cloudwatch.Alarm; complaintRate: cloudwatch.Alarm };

  constructor(scope: Construct, id: string, private readonly props: SendingProps) {
    super(scope, id);
    const { config, table, email, ops } = props;
    const sizing = senderSizing(config);
    // infra/config.ts refuses a configuration without a sizing; this only narrows the type.
    if ('problem' in sizing) throw new Error(sizing.problem);

    this.queue = props.state.queue;
    this.deadLetterQueue = props.state.deadLetterQueue;
    this.editionScheduleGroup = props.state.editionScheduleGroup;

    this.planner = new NewsFunction(this, 'Planner', {
      config,
      handler: 'send-planner',
      description: 'Plans an edition: pages through confirmed subscribers, compiles each content group once, enqueues batches',
      timeout: Duration.minutes(15),
      memorySize: 2048,
      reservedConcurrentExecutions: config.reserveConcurrency ? 2 : undefined,
      withTemplates: true,
      environment: { PUBLIC_BASE_URL: config.publicBaseUrl, SEND_CHUNK_SIZE: String(sendChunkSize), ...brandEnvironment(config) },
    })
      .useTable(table, {
        // Plans (and sweeps): the edition and its progress rows, confirmed subscribers, the edition's items.
        actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'],
        partitions: ['editions', 'subscribers', 'items', 'scopeHeads', 'taxonomy', 'engagementCounts', 'engagementUnique'],
        listings: true,
      })
      .useSendQueue(this.queue)
      .useSecretParameter('SIGNING_SECRET_PARAMETER', config.signingSecretParameter);
    // Started asynchronously (HTTP Lambda), by a one-off schedule, or by the recovery sweep's schedule: failures after
    // retries land in the ops DLQ. The sweep resumes sends that stopped moving (a planner that died, a lost chunk).
    ops.scheduleLambda(this, 'SendRecoverySweep', {
      fn: this.planner,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
      input: { job: 'sweep' },
      description: 'Recovery sweep: resumes sends that stopped moving',
      maxEventAge: Duration.hours(1),
    });

    this.sender = new NewsFunction(this, 'Sender', {
      config,
      handler: 'send-batch',
      description: 'Sends one batch of an edition through SES; one delivery claim per recipient before each send',
      timeout: senderTimeout,
      memorySize: 1024,
      reservedConcurrentExecutions: config.reserveConcurrency ? config.sendConcurrency : undefined,
      environment: {
        PUBLIC_BASE_URL: config.publicBaseUrl,
        // Each of the (at most sendConcurrency) concurrent senders takes its share of the account's MaxSendRate.
        SES_MAX_SEND_RATE: String(sizing.perSenderRate),
        // A chunk failing on its last receive is recorded as dead-lettered on its edition.
        SEND_QUEUE_MAX_RECEIVE_COUNT: String(sendMaxReceiveCount),
      },
    })
      .useTable(table, {
        // Sends: delivery claims, the edition's progress and counters, subscribers and the suppression list read again.
        actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
        partitions: ['editions', 'deliveries', 'subscribers', 'suppression', 'engagementCounts'],
      })
      .useEmailSending(email, { sandbox: config.sesSandbox })
      .useSecretParameter('SIGNING_SECRET_PARAMETER', config.signingSecretParameter);
    this.sender.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: sizing.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: config.sendConcurrency,
      }),
    );

    this.digest = new NewsFunction(this, 'Digest', {
      config,
      handler: 'digest-schedule',
      description: 'Daily and weekly digests: plans a digest of new matching items for subscribers of that frequency',
      timeout: Duration.minutes(15),
      memorySize: 2048,
      withTemplates: true,
      environment: { PUBLIC_BASE_URL: config.publicBaseUrl, SEND_CHUNK_SIZE: String(sendChunkSize), ...brandEnvironment(config) },
    })
      .useTable(table, {
        // Creates a digest edition from new items, then plans it as the planner does.
        actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'],
        partitions: ['editions', 'subscribers', 'items'],
        listings: true,
      })
      .useSendQueue(this.queue)
      .useSecretParameter('SIGNING_SECRET_PARAMETER', config.signingSecretParameter);
    const timeZone = { timeZone: TimeZone.of(config.digestTimeZone) };
    const digestSchedules: Record<DigestFrequency, { id: string; weekDay?: string; description: string }> = {
      daily: { id: 'DailyDigest', description: 'Daily digest' },
      weekly: { id: 'WeeklyDigest', weekDay: 'MON', description: 'Weekly digest (Mondays)' },
    };
    for (const frequency of digestFrequencies) {
      const { id, weekDay, description } = digestSchedules[frequency];
      ops.scheduleLambda(this, id, {
        fn: this.digest,
        schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: String(config.digestHour), ...(weekDay ? { weekDay } : {}), ...timeZone }),
        input: { frequency },
        description,
        maxEventAge: Duration.hours(2),
      });
    }

    // One-off schedules for editions sent later start the planner through this role.
    this.editionSchedulerRole = new iam.Role(this, 'EditionSchedulerRole', {
      description: 'EventBridge Scheduler: start a scheduled edition (invoke the planner only)',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': this.editionScheduleArns() },
        },
      }),
    });
    this.planner.allowInvoke(this.editionSchedulerRole);
    ops.failedInvocations.grantSendMessages(this.editionSchedulerRole);

    this.alarms = {
      deadLetters: ops.alarmOnQueueDepth('SendDeadLettersAlarm', this.deadLetterQueue, `A send batch failed ${sendMaxReceiveCount} times and was dead-lettered.`),
      bounceRate: this.reputationAlarm('BounceRateAlarm', 'Reputation.BounceRate', bounceRateThreshold, 'SES bounce rate near the 5 % review threshold.'),
      complaintRate: this.reputationAlarm(
        'ComplaintRateAlarm',
        'Reputation.ComplaintRate',
        complaintRateThreshold,
        'SES complaint rate near the 0.1 % review threshold.',
      ),
    };
  }

  /** Let `fn` start a send now (async invoke of the planner) or later (one-off schedule in the editions group). */
  allowStartingSends(fn: NewsFunction): void {
    fn.addEnvironment('SEND_PLANNER_FUNCTION', this.planner.functionArn);
    fn.addEnvironment('EDITION_SCHEDULE_GROUP', this.editionScheduleGroup.scheduleGroupName);
    fn.addEnvironment('EDITION_SCHEDULER_ROLE_ARN', this.editionSchedulerRole.roleArn);
    fn.addEnvironment('FAILED_INVOCATIONS_QUEUE_ARN', this.props.ops.failedInvocations.queueArn);
    this.planner.allowInvoke(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        // Only creation: schedules delete themselves after they fire (ActionAfterCompletion DELETE), and a cancelled or
        // rescheduled edition lets its old schedule fire and find nothing to do.
        actions: ['scheduler:CreateSchedule'],
        resources: [this.editionScheduleArns()],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.editionSchedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    acknowledge(fn.role!, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:${region}:${account}:schedule/${this.props.config.prefix}-editions/*]`,
      reason: 'Schedules of editions have run-time names; the grant is limited to the editions schedule group.',
    });
  }

  private editionScheduleArns(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.props.config.prefix}-editions/*`,
    });
  }

  private reputationAlarm(id: string, metricName: string, threshold: number, description: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.props.config.prefix}-${id}`,
      alarmDescription: description,
      metric: new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.minutes(15) }),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.props.ops.alarmTopic));
    return alarm;
  }
}
