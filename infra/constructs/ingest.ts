// Ingestion: the ingest Lambda polls the configured sources every 15 minutes (EventBridge Scheduler). It reads and
// writes the table and pings the WebSub hub; it cannot send email or read any secret.
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { NewsFunction } from './news-function.js';
import type { Operations } from './operations.js';

/** One ingest cycle: a fresh feed is visible within it (the CDN's max TTL for feeds does not exceed it). */
export const ingestInterval = Duration.minutes(15);

export class Ingest extends Construct {
  readonly fn: NewsFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: { config: StageConfig; table: ITable; ops: Operations }) {
    super(scope, id);
    const { config } = props;
    this.fn = new NewsFunction(this, 'Function', {
      config,
      handler: 'ingest-schedule',
      description: 'Polls the configured news sources and writes new or changed items',
      timeout: Duration.minutes(5),
      memorySize: 1024,
      // One run at a time: runs are idempotent, but overlapping runs would only fetch the same feeds twice.
      reservedConcurrentExecutions: config.reserveConcurrency ? 1 : undefined,
      environment: {
        PUBLIC_BASE_URL: config.publicBaseUrl,
        SOURCES: JSON.stringify(config.sources),
        ALLOW_LOOPBACK_SOURCES: 'false',
        ...(config.websubHubUrl ? { WEBSUB_HUB_URL: config.websubHubUrl } : {}),
      },
    }).useTable(props.table, {
      actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'],
      partitions: ['items', 'itemGuids', 'scopeHeads', 'sources', 'taxonomy'],
    });

    this.schedule = props.ops.scheduleLambda(this, 'IngestEvery15Minutes', {
      fn: this.fn,
      schedule: scheduler.ScheduleExpression.rate(ingestInterval),
      input: { trigger: 'schedule' },
      description: 'Poll every news source',
      maxEventAge: Duration.minutes(10),
    });
  }
}
