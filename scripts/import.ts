// `npm run import -- FILE [SOURCE_URL]`: imports a news digest into the running service (`npm start`, or the API in
// AWS) through the editor API. API_URL (default http://127.0.0.1:3000) and EDITOR_TOKEN come from the environment.
import { readFile } from 'node:fs/promises';

const [file, sourceUrl] = process.argv.slice(2);
const api = (process.env.API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const token = process.env.EDITOR_TOKEN;
if (!file) {
  console.error('usage: EDITOR_TOKEN=<token> npm run import -- FILE [SOURCE_URL]   (the token is printed by npm start)');
  process.exit(2);
}
if (!token) {
  console.error('EDITOR_TOKEN is not set: use the "Editor token:" line that npm start printed.');
  process.exit(2);
}
const text = await readFile(file, 'utf8').catch((error: Error) => {
  console.error(`cannot read ${file}: ${error.message}`);
  process.exit(2);
});
const query = sourceUrl ? `?sourceUrl=${encodeURIComponent(sourceUrl)}` : '';
const response = await fetch(`${api}/api/imports/digest${query}`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain; charset=utf-8' },
  body: text,
}).catch((error: Error) => {
  console.error(`cannot reach ${api}: ${error.message}. Is npm start running?`);
  process.exit(1);
});
const body = (await response.json()) as { counts?: Record<string, number>; problems?: Array<{ line: number; message: string }>; error?: { message: string } };
if (!response.ok) {
  console.error(`import refused (${response.status}): ${body.error?.message ?? 'unknown error'}`);
  process.exit(1);
}
const c = body.counts!;
console.log(`imported ${file}: ${c.new} new, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected`);
for (const p of body.problems ?? []) console.log(`  line ${p.line}: ${p.message}`);
