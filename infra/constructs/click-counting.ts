// Click counting: the redirect (HTTP Lambda) hands each click to a queue before it answers; a counter Lambda takes
// them in batches and adds them to the edition's sharded aggregates. Clicks are small, lossy-tolerant totals: a
// message that keeps failing goes to a dead-letter queue after 3 receives rather than blocking the rest.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { NewsFunction } from './news-function.js';

const counterTimeoutSeconds = 60;

export class ClickCounting extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly counter: NewsFunction;

  constructor(scope: Construct, id: string, props: { config: StageConfig; table: ITable }) {
    super(scope, id);
    const { config, table } = props;
    this.deadLetterQueue = new sqs.Queue(this, 'ClickDeadLetters', {
      queueName: `${config.prefix}-clicks-dlq`,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.queue = new sqs.Queue(this, 'ClickQueue', {
      queueName: `${config.prefix}-clicks`,
      visibilityTimeout: Duration.seconds(counterTimeoutSeconds * 6),
      retentionPeriod: Duration.days(4),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.counter = new NewsFunction(this, 'Counter', {
      config,
      handler: 'count-clicks',
      description: 'Counts clicks handed over by the redirect into per-edition aggregates (no per-person rows)',
      timeout: Duration.seconds(counterTimeoutSeconds),
      memorySize: 512,
    }).useTable(table, 'readWrite');
    // Batches of up to 100 clicks gathered for up to 5 s: fewer, larger counter updates at a send's peak.
    this.counter.addEventSource(new SqsEventSource(this.queue, { batchSize: 100, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true, maxConcurrency: 5 }));
  }
}
