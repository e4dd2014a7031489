// One edition: state and live progress, send/schedule/pause/resume/cancel, pre-flight, preview per segment at
// phone and desktop width, test send. The only script of the console polls its progress (/assets/editor.*.js).
import type { Item } from '../../../../core/items/model.js';
import { assetPaths } from '../assets.js';
import { Notice } from '../layout.js';
import { formatDateTime, stateLabel, t, type Lang } from '../i18n.js';
import { EditorShell, Csrf, type Flash } from './shell.js';
import { CountrySelect, TopicSelect } from './fields.js';
import { DataTable } from '../table.js';

export interface EditionDetail {
  id: string;
  subject: string;
  intro: string | null;
  state: string;
  counts: Record<string, number>;
  rate: number;
  progress: number;
  itemIds: string[] | null;
  createdAt: string;
  scheduledAt: string | null;
  completedAt: string | null;
  pausedReason: string | null;
  /** Chunks the send queue dead-lettered, and their recipients (until the sweep or a redrive enqueues them again). */
  deadLettered?: { chunks: number; recipients: number };
}

export interface PreviewPanel {
  segment: { country?: string; topic?: string; language: Lang };
  html?: string;
  /** How many of the edition's items this segment gets. */
  items?: number;
  error?: string;
}

export interface PreflightPanel {
  issues?: Array<{ level?: 'error' | 'warning'; code?: string; message: string; group?: string }>;
  error?: string;
}

const countKeys = ['planned', 'sent', 'skipped', 'suppressed', 'failed', 'inDoubt'] as const;

export function EditionPage(props: { lang: Lang; csrf: string; flash?: Flash; edition: EditionDetail; items: Item[]; preview: PreviewPanel; preflight: PreflightPanel }) {
  const s = t(props.lang);
  const e = props.edition;
  const base = `/${props.lang}/editor/editions/${encodeURIComponent(e.id)}`;
  const live = e.state === 'sending' || e.state === 'scheduled';
  const canSend = e.state === 'draft' || e.state === 'scheduled';
  const action = (name: string, label: string, cls?: string) => (
    <form method="post" action={`${base}/${name}`}>
      <Csrf token={props.csrf} />
      <button type="submit" class={cls}>
        {label}
      </button>
    </form>
  );
  const seg = props.preview.segment;
  const blocked = (props.preflight.issues ?? []).some((i) => i.level === 'error');
  return (
    <EditorShell
      lang={props.lang}
      title={e.subject}
      tab="editions"
      csrf={props.csrf}
      flash={props.flash}
      altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/editions/${encodeURIComponent(e.id)}`}
      head={
        <>
          {live ? (
            <noscript>
              <meta http-equiv="refresh" content="2" />
            </noscript>
          ) : null}
          <script src={assetPaths.editorJs} defer />
        </>
      }
    >
      <section aria-labelledby="progress-h" data-edition-status={`${base}/status`} data-initial-state={e.state}>
        <h2 id="progress-h">{s.progress}</h2>
        <p>
          {s.state}: <span class={`pill ${e.state}`} data-state>
            {stateLabel(e.state, props.lang)}
          </span>
          {e.scheduledAt && e.state === 'scheduled' ? ` · ${formatDateTime(e.scheduledAt, props.lang)}` : ''}
          {e.pausedReason ? ` · ${e.pausedReason}` : ''}
        </p>
        {e.deadLettered && e.deadLettered.chunks > 0 ? (
          <div data-dead-lettered={e.deadLettered.chunks}>
            <Notice kind="error">{s.deadLettered(e.deadLettered.chunks, e.deadLettered.recipients)}</Notice>
          </div>
        ) : null}
        <label for="progress-bar">{s.progress}</label>
        <progress id="progress-bar" max={100} value={Math.round(e.progress * 100)}>
          {Math.round(e.progress * 100)}%
        </progress>
        <p data-progress-text aria-live="polite">
          {progressSummary(e, props.lang)}
        </p>
        <DataTable caption={s.counts} columns={countKeys.map((k) => s[`count_${k}`])}>
          <tr>
            {countKeys.map((k) => (
              <td data-count={k}>{e.counts[k] ?? 0}</td>
            ))}
          </tr>
        </DataTable>
        <div class="row" style="margin-top:1rem">
          {canSend ? (
            blocked ? (
              <p>
                <button type="button" disabled aria-describedby="preflight-h">
                  {s.sendNow}
                </button>{' '}
                <span class="muted">{s.preflightBlocks}</span>
              </p>
            ) : (
              action('send', s.sendNow)
            )
          ) : null}
          {e.state === 'sending' ? action('pause', s.pauseSend, 'secondary') : null}
          {/* A stopped send (a lost or dead-lettered chunk) moves on at once; safe: nobody is mailed twice. */}
          {e.state === 'sending' ? action('redrive', s.redriveSend, 'secondary') : null}
          {e.state === 'paused' ? action('resume', s.resumeSend) : null}
          {['draft', 'scheduled', 'sending', 'paused'].includes(e.state) ? action('cancel', s.cancelSend, 'danger') : null}
        </div>
        {canSend ? (
          <form method="post" action={`${base}/schedule`} class="row" style="margin-top:1rem">
            <Csrf token={props.csrf} />
            <div>
              <label for="at">{s.scheduleAt}</label>
              <input type="datetime-local" id="at" name="at" required />
            </div>
            <button type="submit" class="secondary">
              {s.schedule}
            </button>
          </form>
        ) : null}
      </section>

      {props.items.length > 0 ? (
        <section aria-labelledby="items-h">
          <h2 id="items-h">{s.pickItems}</h2>
          <ol>
            {props.items.map((item) => (
              <li>
                <a href={`/${props.lang}/items/${encodeURIComponent(item.id)}`}>{item.title}</a>
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <section aria-labelledby="preflight-h">
        <h2 id="preflight-h">{s.preflight}</h2>
        {props.preflight.error ? (
          <Notice kind="error">{props.preflight.error}</Notice>
        ) : props.preflight.issues && props.preflight.issues.length > 0 ? (
          <ul>
            {props.preflight.issues.map((i) => (
              <li>
                {i.level ? <strong>{i.level === 'error' ? s.preflightError : s.preflightWarning}: </strong> : null}
                {i.message}
              </li>
            ))}
          </ul>
        ) : (
          <p>{s.preflightOk}</p>
        )}
      </section>

      <section aria-labelledby="preview-h">
        <h2 id="preview-h">{s.preview}</h2>
        <form method="get" action={base} class="row">
          <CountrySelect lang={props.lang} id="pv-country" value={seg.country} />
          <TopicSelect lang={props.lang} id="pv-topic" value={seg.topic} />
          <div>
            <label for="pv-language">{s.language}</label>
            <select id="pv-language" name="language">
              <option value="es" selected={seg.language === 'es'}>
                Español
              </option>
              <option value="en" selected={seg.language === 'en'}>
                English
              </option>
            </select>
          </div>
          <button type="submit" class="secondary">
            {s.showPreview}
          </button>
        </form>
        {props.preview.error ? (
          <Notice kind="error">{props.preview.error}</Notice>
        ) : props.preview.html ? (
          <>
          {props.preview.items !== undefined ? <p data-preview-items>{s.previewItems(props.preview.items)}</p> : null}
          <div class="previews">
            <figure class="phone">
              <figcaption>{s.phone}</figcaption>
              <iframe title={`${s.preview}: ${s.phone}`} sandbox="" srcdoc={props.preview.html} />
            </figure>
            <figure class="desktop">
              <figcaption>{s.desktop}</figcaption>
              <iframe title={`${s.preview}: ${s.desktop}`} sandbox="" srcdoc={props.preview.html} />
            </figure>
          </div>
          </>
        ) : null}
      </section>

      {canSend ? (
        <section aria-labelledby="test-h">
          <h2 id="test-h">{s.testSend}</h2>
          <form method="post" action={`${base}/test`} class="row">
            <Csrf token={props.csrf} />
            <input type="hidden" name="language" value={seg.language} />
            {seg.country ? <input type="hidden" name="country" value={seg.country} /> : null}
            {seg.topic ? <input type="hidden" name="topic" value={seg.topic} /> : null}
            <div>
              <label for="test-to">{s.testAddresses}</label>
              <input type="text" id="test-to" name="to" required autocomplete="off" />
            </div>
            <button type="submit" class="secondary">
              {s.sendTest}
            </button>
          </form>
        </section>
      ) : null}
    </EditorShell>
  );
}

export function progressSummary(e: Pick<EditionDetail, 'counts' | 'rate' | 'progress'>, lang: Lang): string {
  const s = t(lang);
  return `${Math.round(e.progress * 100)}% · ${e.counts.sent ?? 0} ${s.count_sent} / ${e.counts.planned ?? 0} ${s.count_planned} · ${e.rate} ${s.rate}`;
}
