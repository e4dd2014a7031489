// What guards the editor's access, shared by every instance of the HTTP Lambda: fixed-window counters of failed
// editor-token attempts (per client and overall), and the console sessions that sign-out ends.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';

export interface EditorAccessStore {
  /** Failures counted in the current window of each bucket (0 when none). */
  failures(buckets: string[], now: Date, windowMs: number): Promise<number[]>;
  /** Counts one failure in each bucket; the counts after it. */
  recordFailure(buckets: string[], now: Date, windowMs: number): Promise<number[]>;
  startSession(sessionId: string, expiresAt: Date): Promise<void>;
  sessionActive(sessionId: string, now: Date): Promise<boolean>;
  endSession(sessionId: string): Promise<void>;
}

const bucketKey = (bucket: string, now: Date, windowMs: number) => {
  const window = Math.floor(now.getTime() / windowMs);
  return { key: keys.rateCounter(`editor-sign-in:${bucket}`, `w#${window}`), expiresAt: Math.ceil(((window + 2) * windowMs) / 1000) };
};

export function createEditorAccessStore(doc: DynamoDBDocumentClient, TableName: string): EditorAccessStore {
  return {
    async failures(buckets, now, windowMs) {
      return Promise.all(
        buckets.map(async (bucket) => {
          const out = await doc.send(new GetCommand({ TableName, Key: bucketKey(bucket, now, windowMs).key, ProjectionExpression: 'hits' }));
          return Number(out.Item?.hits ?? 0);
        }),
      );
    },
    async recordFailure(buckets, now, windowMs) {
      return Promise.all(
        buckets.map(async (bucket) => {
          const { key, expiresAt } = bucketKey(bucket, now, windowMs);
          const out = await doc.send(
            new UpdateCommand({
              TableName,
              Key: key,
              UpdateExpression: 'SET expiresAt = :expires ADD hits :one',
              ExpressionAttributeValues: { ':expires': expiresAt, ':one': 1 },
              ReturnValues: 'UPDATED_NEW',
            }),
          );
          return Number(out.Attributes?.hits ?? 1);
        }),
      );
    },
    async startSession(sessionId, expiresAt) {
      await doc.send(new PutCommand({ TableName, Item: { ...keys.editorSession(sessionId), kind: 'editorSession', expiresAt: Math.ceil(expiresAt.getTime() / 1000) } }));
    },
    async sessionActive(sessionId, now) {
      const out = await doc.send(new GetCommand({ TableName, Key: keys.editorSession(sessionId), ConsistentRead: true }));
      // TTL deletes lag by up to days: an expired row counts as gone.
      return out.Item !== undefined && Number(out.Item.expiresAt) * 1000 > now.getTime();
    },
    async endSession(sessionId) {
      await doc.send(new DeleteCommand({ TableName, Key: keys.editorSession(sessionId) }));
    },
  };
}
