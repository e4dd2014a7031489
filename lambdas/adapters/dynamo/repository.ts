// What every repository on the table needs: reading a conditional write's failure as an outcome (the core sees
// `exists` or `false`, never an SDK error), stripping key attributes from rows, opaque page cursors, and paging a query
// to the end.
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { invalid } from '../../core/shared/errors.js';

export type Row = Record<string, unknown>;

export const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException => error instanceof ConditionalCheckFailedException;

/** Runs a conditional write: true when it was applied, false when its condition did not hold. Other errors throw. */
export async function applied(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** A conditional put of a new row: `exists` when a row with that key is already there. */
export async function putNew(write: Promise<unknown>): Promise<'created' | 'exists'> {
  return (await applied(write)) ? 'created' : 'exists';
}

/** The row as it stood when a write's condition failed (ReturnValuesOnConditionCheckFailure: 'ALL_OLD'), if sent. */
export function rowBefore(error: ConditionalCheckFailedException): Row | undefined {
  return error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
}

const keyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

/** The row without the table's key attributes and the repository's row marker (`kind` or `type`, which some records
 *  use as a field of their own): the stored record as the core knows it. */
export function withoutKeys(row: Row, marker?: 'kind' | 'type'): Row {
  const record = { ...row };
  for (const k of keyAttributes) delete record[k];
  if (marker) delete record[marker];
  return record;
}

/** An opaque page cursor from DynamoDB's LastEvaluatedKey. */
export const encodeCursor = (key: Row | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);

export function decodeCursor(cursor: string | undefined): Row | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as Row;
  } catch {
    // fall through
  }
  throw invalid('request.invalidCursor', 'The cursor is not valid; start again without one.');
}

/** Every row a query matches, following LastEvaluatedKey to the end. */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Row[]> {
  const rows: Row[] = [];
  let start: Row | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    rows.push(...((out.Items as Row[] | undefined) ?? []));
    start = out.LastEvaluatedKey as Row | undefined;
  } while (start);
  return rows;
}
