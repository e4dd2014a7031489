// `npm run send -- …`: drives the editor API (the same routes the editor UI uses) and shows a send's progress.
//
//   npm run send -- --subject "Weekly news" [--intro TEXT] [--subject-es "Noticias" --intro-es TEXTO]
//                   [--subject-en … --intro-en …] [--items id1,id2 | --since ISO]
//                   [--countries cl,pe] [--topics slug,…] [--languages es,en] [--at ISO] [--yes]
//       create an edition, show the pre-flight and who it reaches, ask, send it (now or at a time), watch it to the end
//   npm run send -- audience ID       who a send would reach now (recipients, skipped, by language)
//   npm run send -- watch ID          progress bar until the send is sent, paused or cancelled
//   npm run send -- status ID         one line of state and counts (JSON with --json)
//   npm run send -- preflight ID      the pre-flight report
//   npm run send -- test ID --to a@example.org[,b@…] [--countries …] [--topics …] [--language es]
//   npm run send -- send ID [--at ISO] [--yes]   asks first, saying how many it reaches (only --yes skips the
//                                                question; without a terminal the answer is read from stdin)
//   npm run send -- pause|resume|cancel ID
//   npm run send -- redrive ID        move a stopped send on now (lost or dead-lettered chunks), then watch it
//
// The API and token come from --api / --token or API_URL / EDITOR_TOKEN (defaults: http://127.0.0.1:3000, as printed
// by `npm start`).
import { parseArgs } from 'node:util';

interface EditionView {
  id: string;
  subject: string;
  state: 'draft' | 'scheduled' | 'sending' | 'paused' | 'sent' | 'cancelled';
  counts: { planned: number; sent: number; skipped: number; suppressed: number; failed: number; inDoubt: number };
  rate: number;
  progress: number;
  scheduledAt: string | null;
  pausedReason: string | null;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: 'string' },
    token: { type: 'string' },
    subject: { type: 'string' },
    intro: { type: 'string' },
    'subject-es': { type: 'string' },
    'intro-es': { type: 'string' },
    'subject-en': { type: 'string' },
    'intro-en': { type: 'string' },
    items: { type: 'string' },
    since: { type: 'string' },
    countries: { type: 'string' },
    topics: { type: 'string' },
    languages: { type: 'string' },
    language: { type: 'string' },
    to: { type: 'string' },
    at: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    json: { type: 'boolean' },
    interval: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const api = (values.api ?? process.env.API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const token = values.token ?? process.env.EDITOR_TOKEN;
const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

class CliError extends Error {}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (!token) throw new CliError('No editor token: pass --token or set EDITOR_TOKEN (npm start prints it).');
  let res: Response;
  try {
    res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new CliError(`Cannot reach the API at ${api}; is \`npm start\` running (or pass --api)?`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
      message = `${parsed.error?.code}: ${parsed.error?.message}`;
      if (parsed.error?.code === 'edition.preflightFailed' && Array.isArray(parsed.error.details)) message += `\n${formatIssues(parsed.error.details as Issue[])}`;
    } catch {
      // not JSON
    }
    throw new CliError(`${method} ${path} → ${res.status} ${message}`);
  }
  return (text ? JSON.parse(text) : {}) as T;
}

interface Issue {
  level: string;
  code: string;
  message: string;
}
const formatIssues = (issues: Issue[]) => issues.map((i) => `  ${i.level === 'error' ? '✗' : '!'} ${i.code}: ${i.message}`).join('\n') || '  no issues';

const n = (v: number) => v.toLocaleString('en-US');

interface AudienceCount {
  recipients: number;
  skipped: number;
  byLanguage: Record<string, number>;
}
const formatAudience = (a: AudienceCount) =>
  `${n(a.recipients)} recipient(s) (${Object.entries(a.byLanguage).map(([l, c]) => `${l} ${n(c)}`).join(', ')}); ${n(a.skipped)} in the audience get no item and are skipped`;

/** Shows who the send reaches and asks. Only --yes sends without an answer: without a terminal the answer is read
 *  from standard input, and the end of it with no answer is a no, so a pipe or a cron job never sends by accident. */
async function confirmSend(id: string, subject: string): Promise<'send' | 'declined' | 'unanswered'> {
  const audience = await call<AudienceCount>('GET', `/api/editions/${id}/audience`);
  console.log(`audience: ${formatAudience(audience)}`);
  if (values.yes) return 'send';
  const answer = await ask(`Send "${subject}" to ${n(audience.recipients)} subscriber(s) ${values.at ? `at ${values.at}` : 'now'}? [y/N] `);
  if (answer !== undefined && /^y(es)?$/i.test(answer.trim())) return 'send';
  console.log(answer === undefined ? `\nno answer: not sent (pass --yes to send without asking): npm run send -- send ${id}` : `not sent: npm run send -- send ${id} when it should go`);
  return answer === undefined ? 'unanswered' : 'declined';
}

/** One line from standard input after the question; undefined when the input ends first. */
async function ask(question: string): Promise<string | undefined> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: Boolean(process.stdin.isTTY) });
  return new Promise((resolve) => {
    let answered = false;
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
    rl.question(question, (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
  });
}

/** The exit code of a send the editor did not confirm: declining is a choice (0), no answer is a failure (1). */
const notSent = (outcome: 'declined' | 'unanswered') => (outcome === 'declined' ? 0 : 1);

function bar(view: EditionView, width = 30): string {
  const c = view.counts;
  const done = c.sent + c.suppressed + c.failed;
  const ratio = c.planned === 0 ? (view.state === 'sent' ? 1 : 0) : Math.min(1, done / c.planned);
  const filled = Math.round(ratio * width);
  const left = c.planned - done;
  const eta = view.rate > 0 && left > 0 ? `ETA ${formatSeconds(left / view.rate)}` : '';
  return (
    `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%  ` +
    `${n(c.sent)}/${n(c.planned)} sent · ${n(c.skipped)} skipped · ${n(c.suppressed)} suppressed · ${n(c.failed)} failed · ${n(c.inDoubt)} in doubt · ` +
    `${view.rate.toFixed(1)}/s ${eta} · ${view.state}`
  );
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

async function watch(id: string): Promise<EditionView> {
  const everyMs = Number(values.interval ?? 1000);
  const tty = process.stdout.isTTY;
  let lastPrinted = 0;
  for (;;) {
    const view = await call<EditionView>('GET', `/api/editions/${encodeURIComponent(id)}`);
    const line = bar(view);
    const final = view.state === 'sent' || view.state === 'cancelled' || view.state === 'paused' || view.state === 'draft';
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (final || Date.now() - lastPrinted > 5000) {
      console.log(line);
      lastPrinted = Date.now();
    }
    if (final) {
      if (tty) process.stdout.write('\n');
      if (view.state === 'paused' && view.pausedReason) console.log(`paused: ${view.pausedReason}`);
      return view;
    }
    if (view.state === 'scheduled' && view.scheduledAt && Date.parse(view.scheduledAt) - Date.now() > 60_000) {
      if (tty) process.stdout.write('\n');
      console.log(`scheduled for ${view.scheduledAt}; run \`npm run send -- watch ${id}\` then.`);
      return view;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function main(): Promise<number> {
  const [command, id] = positionals;
  if (values.help) {
    console.log('See the top of scripts/send.ts or docs/newsletters.md for the commands.');
    return 0;
  }
  const needId = () => {
    if (!id) throw new CliError(`\`${command}\` needs an edition id: npm run send -- ${command} ID`);
    return encodeURIComponent(id);
  };
  switch (command) {
    case undefined: {
      if (!values.subject) throw new CliError('Give --subject to create and send an edition, or a command (watch, status, audience, preflight, test, send, pause, resume, cancel, redrive).');
      const audience = { countries: list(values.countries), topics: list(values.topics), languages: list(values.languages) };
      const translation = (l: 'es' | 'en') => (values[`subject-${l}`] ? { subject: values[`subject-${l}`], intro: values[`intro-${l}`] } : undefined);
      const translations = { es: translation('es'), en: translation('en') };
      const created = await call<{ id: string }>('POST', '/api/editions', {
        subject: values.subject,
        intro: values.intro,
        translations: translations.es || translations.en ? translations : undefined,
        itemIds: list(values.items),
        since: values.since,
        audience: Object.values(audience).some(Boolean) ? audience : undefined,
      });
      console.log(`edition ${created.id}`);
      const report = await call<{ ok: boolean; items: number; issues: Issue[] }>('GET', `/api/editions/${created.id}/preflight`);
      console.log(`pre-flight: ${report.items} items, ${report.ok ? 'ok' : 'errors'}\n${formatIssues(report.issues)}`);
      if (!report.ok) return 1;
      const confirmed = await confirmSend(created.id, values.subject);
      if (confirmed !== 'send') return notSent(confirmed);
      await call('POST', `/api/editions/${created.id}/send`, values.at ? { at: values.at } : {});
      const final = await watch(created.id);
      return final.state === 'sent' || final.state === 'scheduled' ? 0 : 1;
    }
    case 'watch':
      return (await watch(needId())).state === 'sent' ? 0 : 1;
    case 'status': {
      const view = await call<EditionView>('GET', `/api/editions/${needId()}`);
      console.log(values.json ? JSON.stringify(view, null, 2) : `${view.subject}\n${bar(view)}`);
      return 0;
    }
    case 'preflight': {
      const report = await call<{ ok: boolean; items: number; issues: Issue[] }>('GET', `/api/editions/${needId()}/preflight`);
      console.log(`${report.items} items, ${report.ok ? 'ok' : 'errors'}\n${formatIssues(report.issues)}`);
      return report.ok ? 0 : 1;
    }
    case 'test': {
      const emails = list(values.to);
      if (!emails?.length) throw new CliError('Give --to address[,address…] for a test send.');
      const out = await call<{ sent: number }>('POST', `/api/editions/${needId()}/test`, { emails, countries: list(values.countries), topics: list(values.topics), language: values.language });
      console.log(`test sent to ${out.sent} address(es)`);
      return 0;
    }
    case 'audience': {
      const audience = await call<AudienceCount>('GET', `/api/editions/${needId()}/audience`);
      console.log(values.json ? JSON.stringify(audience, null, 2) : formatAudience(audience));
      return 0;
    }
    case 'send': {
      const view = await call<EditionView>('GET', `/api/editions/${needId()}`);
      const confirmed = await confirmSend(needId(), view.subject);
      if (confirmed !== 'send') return notSent(confirmed);
      await call('POST', `/api/editions/${needId()}/send`, values.at ? { at: values.at } : {});
      const final = await watch(id!);
      return final.state === 'sent' || final.state === 'scheduled' ? 0 : 1;
    }
    case 'pause':
    case 'resume':
    case 'cancel': {
      const view = await call<EditionView>('POST', `/api/editions/${needId()}/${command}`);
      console.log(bar(view));
      return 0;
    }
    case 'redrive': {
      const out = await call<{ replanned: boolean; requeued: number }>('POST', `/api/editions/${needId()}/redrive`);
      console.log(out.replanned ? 'handed back to the planner (it resumes from its cursors)' : `${out.requeued} unfinished chunks enqueued again`);
      const final = await watch(id!);
      return final.state === 'sent' ? 0 : 1;
    }
    default:
      throw new CliError(`Unknown command "${command}". Commands: watch, status, audience, preflight, test, send, pause, resume, cancel, redrive (or --subject … to create and send).`);
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof CliError ? error.message : `send failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
