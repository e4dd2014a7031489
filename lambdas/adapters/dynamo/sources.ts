// Sources in DynamoDB: one partition (there are few sources), one row each, with the last poll's outcome.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Source, SourceStore } from '../../core/ingest/sources.js';
import { keys } from './keys.js';
import { applied } from './repository.js';

const toSource = (row: Record<string, unknown>): Source => {
  const { pk: _pk, sk: _sk, ...source } = row;
  return source as unknown as Source;
};

export function createDynamoSourceStore(doc: DynamoDBDocumentClient, tableName: string): SourceStore {
  return {
    async list() {
      const sources: Source[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.sourcePartition },
            ExclusiveStartKey: start,
          }),
        );
        sources.push(...(out.Items ?? []).map(toSource));
        start = out.LastEvaluatedKey;
      } while (start);
      return sources;
    },
    async get(id) {
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: keys.source(id) }));
      return Item ? toSource(Item) : undefined;
    },
    async create(source) {
      return applied(doc.send(
        new PutCommand({ TableName: tableName, Item: { ...keys.source(source.id), ...source }, ConditionExpression: 'attribute_not_exists(pk)' }),
      ));
    },
    async update(source) {
      return applied(doc.send(new PutCommand({ TableName: tableName, Item: { ...keys.source(source.id), ...source }, ConditionExpression: 'attribute_exists(pk)' })));
    },
    async remove(id) {
      return applied(doc.send(new DeleteCommand({ TableName: tableName, Key: keys.source(id), ConditionExpression: 'attribute_exists(pk)' })));
    },
    async recordPoll(id, outcome, validators) {
      const names: Record<string, string> = { '#lastPoll': 'lastPoll' };
      const values: Record<string, unknown> = { ':poll': outcome };
      const sets = ['#lastPoll = :poll'];
      if (outcome.error) {
        names['#lastError'] = 'lastError';
        values[':error'] = { at: outcome.at, ...outcome.error };
        sets.push('#lastError = :error');
      }
      if (validators) {
        for (const field of ['etag', 'lastModified'] as const) {
          names[`#${field}`] = field;
          values[`:${field}`] = validators[field] ?? null;
          sets.push(`#${field} = :${field}`);
        }
      }
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.source(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },
  };
}
