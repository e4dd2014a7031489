// The one definition of the table's key schema. The CDK stack and the local runtime (and tests) both build the
// table from it, so the two can never drift.
export const tableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Sparse global indexes: a row appears in one only when it carries that index's key attributes. */
  indexes: [
    // gsi1v2: lists that need their own ordering (editions by time, subscribers by creation and by confirmed shard,
    // deliveries by edition shard). It projects only what a listing filters on or reads without the row; readers
    // BatchGet the rows they page to. A table write that changes none of these attributes writes nothing to the
    // index, so a delivery's claim, settlement and SES evidence cost one index write, not three, and an edition's
    // progress counters none. It replaces `gsi1` (which projected ALL): a projection cannot change in place, so the
    // index has a new name over the same key attributes (docs/deploy.md, "Replacing gsi1").
    {
      name: 'gsi1v2',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      // subscriberId: the subscriber listing (EMAIL rows); state, kind, frequency, sendStartedAt: the edition
      // listing's filters (sweep, "since the last edition").
      projectedAttributes: ['subscriberId', 'state', 'kind', 'frequency', 'sendStartedAt'],
    },
  ],
} as const;

/** The index every listing queries. */
export const listingIndex = tableKeys.indexes[0].name;

export const timeToLiveAttribute = 'expiresAt';

/** Input for DynamoDB's CreateTable, as plain data (no SDK types), so infra and adapters share it. */
export function createTableInput(tableName: string) {
  const attributeNames = [tableKeys.partitionKey, tableKeys.sortKey, ...tableKeys.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...new Set(attributeNames)].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
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
      Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projectedAttributes] },
    })),
  };
}
