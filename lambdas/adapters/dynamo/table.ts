// The one definition of the table's key schema. The CDK stack and the local runtime (and tests) both build the
// table from it, so the two can never drift.
export const tableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Sparse global indexes: a row appears in one only when it carries that index's key attributes. */
  indexes: [
    // gsi1: lists that need their own ordering (sources, editions by time, subscribers by status shard).
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ],
} as const;

export const timeToLiveAttribute = 'expiresAt';

/** Input for DynamoDB's CreateTable, as plain data (no SDK types), so infra and adapters share it. */
export function createTableInput(tableName: string) {
  const attributeNames = [tableKeys.partitionKey, tableKeys.sortKey, ...tableKeys.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributeNames.map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: tableKeys.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
