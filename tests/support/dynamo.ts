// A fresh table per test file on the shared DynamoDB Local, so files run in parallel without seeing each other.
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createDocumentClient, ensureTable } from '../../lambdas/adapters/dynamo/client.js';

export async function freshTable(prefix = 'test') {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const doc = createDocumentClient({ region: 'us-east-1', endpoint });
  await ensureTable(doc, tableName);
  return { doc, tableName, endpoint };
}
