// Shared operational plumbing of the app stack: the topic alarms notify, a queue that catches failed scheduled and
// asynchronous invocations (so a failed ingest run or edition start is never silently dropped), and a helper that
// schedules a Lambda with EventBridge Scheduler through a role that may invoke only that one function.
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { acknowledge } from './nag.js';
import type { NewsFunction } from './news-function.js';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';

export class Operations extends Construct {
  readonly alarmTopic: sns.Topic;
  /** Dead-letter queue of EventBridge Scheduler targets and of asynchronous Lambda invocations. */
  readonly failedInvocations: sqs.Queue;
  private readonly deadLettered = new Set<NewsFunction>();

  constructor(scope: Construct, id: string, private readonly props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { topicName: `${config.prefix}-alarms`, enforceSSL: true });
    acknowledge(this.alarmTopic, {
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and metric values only, no personal data; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key.',
    });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));

    this.failedInvocations = new sqs.Queue(this, 'FailedInvocations', {
      queueName: `${config.prefix}-failed-invocations`,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledge(this.failedInvocations, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of scheduler targets and async invocations.',
    });
    this.alarmOnQueueDepth('FailedInvocationsAlarm', this.failedInvocations, 'A scheduled or asynchronous invocation failed after its retries.');
  }

  /** Alarms on a function's errors and throttles, and (when given) on its p99 duration nearing its timeout. */
  alarmOnFunction(fn: NewsFunction, options: { durationNearTimeout?: boolean } = {}): cloudwatch.Alarm[] {
    const name = fn.handlerName;
    const alarms = [
      this.alarm(`${name}-Errors`, `${name}: a Lambda invocation failed.`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 0),
      this.alarm(`${name}-Throttles`, `${name}: Lambda throttled invocations (concurrency exhausted).`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 0),
    ];
    const timeout = fn.timeout?.toMilliseconds();
    if (options.durationNearTimeout && timeout) {
      alarms.push(
        this.alarm(`${name}-Duration`, `${name}: p99 duration above 80 % of its timeout; batches risk timing out.`, fn.metricDuration({ period: Duration.minutes(5), statistic: 'p99' }), timeout * 0.8),
      );
    }
    return alarms;
  }

  /** Alarm when the oldest message of a work queue has waited longer than `maxAge`. */
  alarmOnQueueAge(id: string, queue: sqs.IQueue, maxAge: Duration, description: string): cloudwatch.Alarm {
    return this.alarm(id, description, queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }), maxAge.toSeconds());
  }

  /** Alarm when DynamoDB throttles reads or writes of the table (on-demand tables still throttle on hot keys). */
  alarmOnTableThrottling(table: ITable): cloudwatch.Alarm {
    const metric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: Duration.minutes(5) });
    const throttled = new cloudwatch.MathExpression({
      expression: 'reads + writes',
      usingMetrics: { reads: metric('ReadThrottleEvents'), writes: metric('WriteThrottleEvents') },
      period: Duration.minutes(5),
      label: 'Throttled reads and writes',
    });
    return this.alarm('TableThrottlingAlarm', 'DynamoDB throttled reads or writes of the table (a hot key, or a burst past on-demand limits).', throttled, 0);
  }

  private alarm(id: string, description: string, metric: cloudwatch.IMetric, threshold: number): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.props.config.prefix}-${id}`,
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    return alarm;
  }

  /** Alarm as soon as a dead-letter queue holds a message. */
  alarmOnQueueDepth(id: string, queue: sqs.IQueue, description: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.props.config.prefix}-${id}`,
      alarmDescription: description,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    return alarm;
  }

  /**
   * Lambda runs asynchronous invocations (Scheduler, SNS, an async invoke) with its own retries; what still fails
   * goes to the failed-invocations queue instead of vanishing.
   */
  deadLetterAsyncFailures(fn: NewsFunction, maxEventAge: Duration): void {
    if (this.deadLettered.has(fn)) return;
    this.deadLettered.add(fn);
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge, onFailure: new destinations.SqsDestination(this.failedInvocations) });
  }

  /**
   * A schedule invoking `fn` through its own role (lambda:InvokeFunction on that function only). Scheduler invokes
   * Lambda asynchronously: its retry policy and DLQ cover failed invokes (throttling, permissions); the function's
   * own errors are covered by deadLetterAsyncFailures.
   */
  scheduleLambda(
    scope: Construct,
    id: string,
    props: { fn: NewsFunction; schedule: scheduler.ScheduleExpression; input: Record<string, unknown>; description: string; maxEventAge: Duration },
  ): scheduler.Schedule {
    const role = new iam.Role(scope, `${id}Role`, {
      description: `EventBridge Scheduler: invoke ${id} only`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
      }),
    });
    this.deadLetterAsyncFailures(props.fn, props.maxEventAge);
    acknowledge(role, {
      id: props.fn.versionsFinding(),
      reason: 'Granted by the Scheduler Lambda target: this one function and its versions, nothing else.',
    });
    return new scheduler.Schedule(scope, id, {
      scheduleName: `${this.props.config.prefix}-${id}`.slice(0, 64),
      description: props.description,
      schedule: props.schedule,
      target: new targets.LambdaInvoke(props.fn, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject(props.input),
        retryAttempts: 2,
        maxEventAge: props.maxEventAge,
        deadLetterQueue: this.failedInvocations,
      }),
    });
  }
}
