// The local-only table where the queue and scheduler stand-ins keep their work, in the same DynamoDB Local (and so the
// same DATA_DIR) as the app's table. A table of its own, not rows in the app's table: in AWS this state lives in SQS
// and EventBridge Scheduler, so the app's table (its schema and the access patterns in adapters/dynamo/keys.ts) stays
// exactly the one deployed, and nothing that reads or counts the app's rows ever sees queue messages.
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const localWorkTableName = (appTableName: string) => `${appTableName}-local-work`;

export async function ensureLocalWorkTable(doc: DynamoDBDocumentClient, tableName: string): Promise<void> {
  try {
    await doc.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  while ((await doc.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus !== 'ACTIVE') {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every row of one partition (a queue, or the schedules), read consistently. */
export async function readPartition(doc: DynamoDBDocumentClient, tableName: string, pk: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    rows.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}
