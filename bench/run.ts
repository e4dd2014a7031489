// `npm run bench`: runs every bench/*.bench.ts in one process, prints one table with each figure beside its
// alternative, and writes the same figures to bench-results.json ({"key":{"value","unit","vs"}}).
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Figure {
  value: number;
  unit: string;
  /** What the figure is compared with, in words (e.g. "raw BatchWriteItem of the same rows"). */
  vs?: string;
}
export type Figures = Record<string, Figure>;

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const results: Figures = {};
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<Figures> };
  console.error(`running ${file} ...`);
  Object.assign(results, await mod.run());
}
const rows = Object.entries(results).map(([key, f]) => [key, f.value.toLocaleString('en-US', { maximumFractionDigits: 3 }), f.unit, f.vs ?? '']);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'value', 'unit', 'vs'][i]!.length));
const line = (r: string[]) => r.map((cell, i) => (i === 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
console.log(line(['figure', 'value', 'unit', 'vs']));
for (const r of rows) console.log(line(r));
writeFileSync(join(here, '..', 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
console.log('\nwritten to bench-results.json');
process.exit(0);
