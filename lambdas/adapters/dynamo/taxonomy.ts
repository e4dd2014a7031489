// The taxonomy in DynamoDB: one row per country or topic in one small partition (keys.taxonomyEntry), with its
// position (the editors' order, which breaks classification ties) and its state. A removed entry keeps its row as
// `removed` (with `mergedInto`), so its feeds can answer 410 or 301 and seeding never brings it back.
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TaxonomyEntry, TaxonomyStore } from '../../core/taxonomy/service.js';
import type { Country, RemovedEntry, TaxonomyKind, Topic } from '../../core/taxonomy/taxonomy.js';
import { keys } from './keys.js';
import { applied, queryAll } from './repository.js';

interface TaxonomyRow {
  kind: TaxonomyKind;
  key: string;
  state: 'present' | 'removed';
  position: number;
  names: Country['names'];
  keywords: Country['keywords'];
  mergedInto?: string;
}

const entryOf = (row: TaxonomyRow): TaxonomyEntry =>
  row.kind === 'country' ? { code: row.key, names: row.names, keywords: row.keywords } : { slug: row.key, names: row.names, keywords: row.keywords };
const keyOf = (entry: TaxonomyEntry) => ('code' in entry ? entry.code : entry.slug);

export function createDynamoTaxonomyStore(doc: DynamoDBDocumentClient, tableName: string): TaxonomyStore {
  const put = (kind: TaxonomyKind, entry: TaxonomyEntry, position: number, condition: string, values?: Record<string, unknown>) =>
    applied(
      doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.taxonomyEntry(kind, keyOf(entry)), kind, key: keyOf(entry), state: 'present', position, names: entry.names, keywords: entry.keywords },
          ConditionExpression: condition,
          ...(condition.includes('#state') ? { ExpressionAttributeNames: { '#state': 'state' } } : {}),
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );

  async function rows(): Promise<TaxonomyRow[]> {
    // Strongly consistent: a process re-reading after its own change must see it.
    const found = await queryAll(doc, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.taxonomyPartition },
      ConsistentRead: true,
    });
    return (found as unknown as TaxonomyRow[]).sort((a, b) => a.position - b.position || a.key.localeCompare(b.key));
  }

  return {
    async load() {
      const all = await rows();
      const present = (kind: TaxonomyKind) => all.filter((r) => r.kind === kind && r.state === 'present').map(entryOf);
      const removed: RemovedEntry[] = all
        .filter((r) => r.state === 'removed')
        .map((r) => ({ kind: r.kind, key: r.key, ...(r.mergedInto ? { mergedInto: r.mergedInto } : {}) }));
      return { countries: present('country') as Country[], topics: present('topic') as Topic[], removed };
    },
    create: (kind, entry, position) => put(kind, entry, position, 'attribute_not_exists(pk) OR #state = :removed', { ':removed': 'removed' }),
    async update(kind, entry) {
      const existing = (await rows()).find((r) => r.kind === kind && r.key === keyOf(entry) && r.state === 'present');
      if (!existing) return false;
      return put(kind, entry, existing.position, '#state = :present', { ':present': 'present' });
    },
    async remove(kind, key, mergedInto) {
      const existing = (await rows()).find((r) => r.kind === kind && r.key === key);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.taxonomyEntry(kind, key),
            kind,
            key,
            state: 'removed',
            position: existing?.position ?? 0,
            names: existing?.names ?? { en: key, es: key },
            keywords: { en: [], es: [] },
            ...(mergedInto ? { mergedInto } : {}),
          },
        }),
      );
    },
    async seed(defaults) {
      const stored = new Set((await rows()).map((r) => `${r.kind}#${r.key}`));
      let written = 0;
      const missing = [
        ...defaults.countries.map((entry, position) => ({ kind: 'country' as const, entry, position })),
        ...defaults.topics.map((entry, position) => ({ kind: 'topic' as const, entry, position })),
      ].filter(({ kind, entry }) => !stored.has(`${kind}#${keyOf(entry)}`));
      // Conditional: another process seeding at the same moment, or an editor's entry, is never overwritten.
      for (const { kind, entry, position } of missing) if (await put(kind, entry, position, 'attribute_not_exists(pk)')) written++;
      return written;
    },
  };
}
