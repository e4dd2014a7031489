// What DynamoDB counts of an item's size (the scale bench's largest item, and tests of the 10 KB row bound).

/** An item's size as DynamoDB counts it: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 digits). */
export function itemBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (value instanceof Set) return [...value].reduce((n, v) => n + itemBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((n, v) => n + 1 + itemBytes(v), 0);
  if (value instanceof Uint8Array) return value.byteLength;
  return 3 + Object.entries(value as Record<string, unknown>).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + itemBytes(v), 0);
}
