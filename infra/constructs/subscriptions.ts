// Subscriptions' AWS side: the SES feedback Lambda, subscribed to the configuration set's SNS topic. It records
// bounces and complaints (suppression), deliveries and sends (reconciles claims in doubt). It only touches the table.
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { NewsFunction } from './news-function.js';
import type { Operations } from './operations.js';

export class Subscriptions extends Construct {
  readonly feedback: NewsFunction;

  constructor(scope: Construct, id: string, props: { config: StageConfig; table: ITable; feedbackTopic: ITopic; ops: Operations }) {
    super(scope, id);
    const { config } = props;
    this.feedback = new NewsFunction(this, 'Feedback', {
      config,
      handler: 'ses-feedback',
      description: 'SES events (bounce, complaint, delivery, reject, send) from SNS: suppression list and edition stats',
      timeout: Duration.seconds(30),
      memorySize: 512,
    }).useTable(props.table, {
      // Suppress or count a bounce (subscriber, address, suppression list); an edition's feedback counts and SES's
      // acceptance on the delivery row.
      actions: ['GetItem', 'PutItem', 'UpdateItem'],
      partitions: ['subscribers', 'addresses', 'suppression', 'editions', 'deliveries', 'engagementCounts', 'engagementUnique', 'subscriberStats'],
    });
    props.ops.deadLetterAsyncFailures(this.feedback, Duration.hours(6));
    props.feedbackTopic.addSubscription(new subscriptions.LambdaSubscription(this.feedback));
  }
}
