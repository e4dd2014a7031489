// One edition: state and live progress, send/schedule/pause/resume/cancel, pre-flight, preview per segment at
// phone and desktop width, test send. The only script of the console polls its progress (/assets/editor.*.js).
import type { Item } from '../../../../core/items/model.js';
import { assetPaths } from '../assets.js';
import { Notice } from '../layout.js';
import { countryName, formatDateTime, stateLabel, t, topicName, type Lang } from '../i18n.js';
import type { CountryCode, TopicSlug } from '../../../../core/taxonomy/taxonomy.js';
import { EditorShell, Csrf, type Flash } from './shell.js';
import { CountrySelect, TopicSelect } from './fields.js';
import { DataTable } from '../table.js';
import { EditionForm, type EditionFormValues } from './editions.js';
import { isoToWallTime } from '../time-zone.js';

export interface EditionDetail {
  id: string;
  subject: string;
  intro: string | null;
  translations: Partial<Record<Lang, { subject: string; intro?: string }>>;
  selection: unknown;
  audience: unknown;
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

/** The items the edition carries or would carry now, and why these ("new since the last edition" made visible). */
export interface ContentsPanel {
  items: Item[];
  basis: { kind: 'chosen' } | { kind: 'since'; since: string } | { kind: 'sinceLast'; lastEditionAt?: string };
}

/** The confirmation step before "Send now": who it reaches, and the subject each language gets. */
export interface ConfirmPanel {
  recipients: number;
  skipped: number;
  byLanguage: Record<Lang, number>;
  subjects: Record<Lang, string>;
}

const countKeys = ['planned', 'sent', 'skipped', 'suppressed', 'failed', 'inDoubt'] as const;

/** A pre-flight issue in the page's language where we have its words (the API's message otherwise). */
function issueText(i: NonNullable<PreflightPanel['issues']>[number], lang: Lang): string {
  const s = t(lang);
  const p = (i as { params?: Record<string, string | number> }).params ?? {};
  const languageName = (l: unknown) => (l === 'es' ? s.languageName_es : l === 'en' ? s.languageName_en : String(l));
  switch (i.code) {
    case 'preflight.noItems':
      return s.pf_noItems;
    case 'preflight.noRecipients':
      return s.pf_noRecipients;
    case 'preflight.untranslated':
      return s.pf_untranslated(languageName(p.language), Number(p.count));
    case 'preflight.staleItems':
      return s.pf_staleItems(Number(p.count), Number(p.days));
    case 'preflight.tooLarge':
      return p.kb === undefined ? i.message : s.pf_tooLarge(languageName(p.language), Number(p.count), Number(p.kb));
    case 'preflight.missingLink':
      return p.field === undefined ? i.message : s.pf_missingLink(String(p.field), p.part === 'text');
    case 'preflight.placeholder':
      return s.pf_placeholder;
    case 'preflight.subjectLineBreak':
      return s.pf_subjectLineBreak;
    case 'preflight.brokenLink':
      return p.href === undefined ? i.message : p.protocol ? s.pf_badScheme(String(p.protocol), String(p.href)) : s.pf_brokenLink(String(p.href));
    case 'preflight.insecureLink':
      return p.href === undefined ? i.message : s.pf_insecureLink(String(p.href));
    case 'preflight.missingAlt':
      return s.pf_missingAlt;
    case 'preflight.emptySegment':
      return p.country ? s.pf_emptyCountry(countryName(p.country as CountryCode, lang)) : p.topic ? s.pf_emptyTopic(topicName(p.topic as TopicSlug, lang)) : i.message;
    default:
      return i.message;
  }
}

export function EditionPage(props: {
  lang: Lang;
  csrf: string;
  flash?: Flash;
  edition: EditionDetail;
  contents: ContentsPanel;
  preview: PreviewPanel;
  preflight: PreflightPanel;
  /** The editor's time zone (the browser's, or UTC until the console's script has said). */
  zone: string;
  confirm?: ConfirmPanel;
  /** The edit form (drafts and scheduled editions): the items to choose from and the current values. */
  form?: { items: Item[]; values: EditionFormValues; sentItemIds?: ReadonlySet<string> };
}) {
  const s = t(props.lang);
  const e = props.edition;
  const zone = props.zone;
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
          {e.scheduledAt && e.state === 'scheduled' ? ` · ${formatDateTime(e.scheduledAt, props.lang, zone)}` : ''}
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
            ) : props.confirm ? null : (
              // Asks first: the confirmation step says how many it reaches.
              <form method="get" action={`${base}#confirm-h`}>
                <input type="hidden" name="confirm" value="send" />
                <button type="submit">{s.sendNow}</button>
              </form>
            )
          ) : null}
          {e.state === 'sending' ? action('pause', s.pauseSend, 'secondary') : null}
          {/* A stopped send (a lost or dead-lettered chunk) moves on at once; safe: nobody is mailed twice. */}
          {e.state === 'sending' ? action('redrive', s.redriveSend, 'secondary') : null}
          {e.state === 'paused' ? action('resume', s.resumeSend) : null}
          {['draft', 'scheduled', 'sending', 'paused'].includes(e.state) ? action('cancel', s.cancelSend, 'danger') : null}
        </div>
        {canSend && props.confirm && !blocked ? (
          <section aria-labelledby="confirm-h" class="notice" data-confirm>
            <h3 id="confirm-h">{s.confirmSendTitle}</h3>
            <p data-audience>
              {props.confirm.recipients === 0 ? s.confirmNobody : s.confirmAudience(props.confirm.recipients, props.confirm.byLanguage.es, props.confirm.byLanguage.en, props.confirm.skipped)}
            </p>
            <ul>
              {(['es', 'en'] as const).map((l) => (
                <li>
                  {l === 'es' ? s.languageName_es : s.languageName_en}: <span lang={l}>{props.confirm!.subjects[l]}</span>
                </li>
              ))}
            </ul>
            <div class="row">
              {/* Reaching nobody is warned about, not refused: such a send completes at once, unpublished. */}
              {action('send', s.confirmSend(props.confirm.recipients))}
              <a href={base}>{s.back}</a>
            </div>
          </section>
        ) : null}
        {canSend ? (
          <form method="post" action={`${base}/schedule`} class="row" style="margin-top:1rem">
            <Csrf token={props.csrf} />
            {/* The console's script fills in the browser's zone; until it has, times are UTC. */}
            <input type="hidden" name="tz" value={zone} data-browser-zone />
            <div>
              <label for="at">
                {s.scheduleAtZone(zone)}
              </label>
              <input type="datetime-local" id="at" name="at" required aria-describedby="at-hint" value={e.scheduledAt && e.state === 'scheduled' ? isoToWallTime(e.scheduledAt, zone) : undefined} />
              <p class="hint" id="at-hint">
                {s.zoneHint}
              </p>
            </div>
            <button type="submit" class="secondary">
              {s.schedule}
            </button>
          </form>
        ) : null}
      </section>

      <section aria-labelledby="items-h">
        <h2 id="items-h">{s.pickItems}</h2>
        <p data-contents-basis>
          {props.contents.basis.kind === 'chosen'
            ? s.itemsChosen
            : props.contents.basis.kind === 'since'
              ? s.itemsSince(formatDateTime(props.contents.basis.since, props.lang, zone))
              : props.contents.basis.lastEditionAt
                ? s.itemsSinceLast(formatDateTime(props.contents.basis.lastEditionAt, props.lang, zone))
                : s.itemsSinceFirst}
        </p>
        {props.contents.items.length > 0 ? (
          <ol>
            {props.contents.items.map((item) => (
              <li>
                <a href={`/${props.lang}/items/${encodeURIComponent(item.id)}`}>{item.title}</a>
              </li>
            ))}
          </ol>
        ) : (
          <p>{s.noItemsYet}</p>
        )}
      </section>

      <section aria-labelledby="preflight-h">
        <h2 id="preflight-h">{s.preflight}</h2>
        {props.preflight.error ? (
          <Notice kind="error">{props.preflight.error}</Notice>
        ) : props.preflight.issues && props.preflight.issues.length > 0 ? (
          <ul>
            {props.preflight.issues.map((i) => (
              <li>
                {i.level ? <strong>{i.level === 'error' ? s.preflightError : s.preflightWarning}: </strong> : null}
                {issueText(i, props.lang)}
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

      {props.form ? (
        <section aria-labelledby="edit-h">
          <details>
            <summary>
              <h2 id="edit-h" style="display:inline">
                {s.editEdition}
              </h2>
            </summary>
            <EditionForm lang={props.lang} csrf={props.csrf} action={`${base}/edit`} labelledBy="edit-h" submit={s.saveEdition} items={props.form.items} values={props.form.values} {...(props.form.sentItemIds ? { sentItemIds: props.form.sentItemIds } : {})} />
          </details>
        </section>
      ) : null}
    </EditorShell>
  );
}

export function progressSummary(e: Pick<EditionDetail, 'counts' | 'rate' | 'progress'>, lang: Lang): string {
  const s = t(lang);
  return `${Math.round(e.progress * 100)}% · ${e.counts.sent ?? 0} ${s.count_sent} / ${e.counts.planned ?? 0} ${s.count_planned} · ${e.rate} ${s.rate}`;
}
