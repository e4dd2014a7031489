// The console's analytics pages: one edition's engagement (clicks over time, by item, a country × topic heat map) and
// the dashboard (subscribers over time, bounce and complaint rates against SES's review thresholds). Charts come from
// ../charts.tsx, each with its table.
import type { EditionCharts, EditionStats, SeriesPoint } from '../../../../core/analytics/service.js';
import { currentTaxonomy, isCountryCode, isTopicSlug } from '../../../../core/taxonomy/taxonomy.js';
import { BarChart, HeatMap, LineChart, percent } from '../charts.js';
import { countryName, t, topicName, type Lang } from '../i18n.js';
import { DataTable } from '../table.js';
import { EditorShell } from './shell.js';

/** SES puts an account under review at these rates. */
export const sesReviewThresholds = { bounce: 0.05, complaint: 0.001 };

const chartStyles = (
  <style>{`.chart{margin:1.5rem 0}.chart figcaption{margin-bottom:.5rem}.chart-body{display:grid;gap:1rem;grid-template-columns:minmax(0,3fr) minmax(0,2fr);align-items:start}
.chart-svg{width:100%;height:auto;display:block}.chart-table{max-height:22rem;overflow:auto}.chart-table .table-wrap{overflow:visible}.num{text-align:right;font-variant-numeric:tabular-nums}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;margin:1rem 0;padding:0}.kpis div{border:1px solid #ccc;border-radius:6px;padding:.5rem .75rem}
.kpis dt{font-size:.85rem}.kpis dd{margin:0;font-size:1.4rem;font-weight:600}@media (max-width:720px){.chart-body{grid-template-columns:1fr}}`}</style>
);

const nameOfCountry = (code: string, lang: Lang) => (isCountryCode(code) ? countryName(code, lang) : t(lang).statsAll);
const nameOfTopic = (slug: string, lang: Lang) => (isTopicSlug(slug) ? topicName(slug, lang) : t(lang).statsAll);

export function EditionStatsPage(props: { lang: Lang; csrf: string; editionId: string; subject: string; stats: EditionStats & { charts: EditionCharts } }) {
  const s = t(props.lang);
  const { stats } = props;
  const base = `/${props.lang}/editor/editions/${encodeURIComponent(props.editionId)}`;
  const other = props.lang === 'es' ? 'en' : 'es';
  const kpis: Array<[string, string]> = [
    [s.statsSent, String(stats.sent)],
    [s.statsDelivered, String(stats.delivered)],
    [s.statsClicks, String(stats.clicks.total)],
    [s.statsUnique, String(stats.clicks.unique)],
    [s.statsBounced, String(stats.bounced)],
    [s.statsComplained, String(stats.complained)],
    [s.statsUnsubscribed, String(stats.unsubscribed)],
  ];
  const cells = new Map(stats.charts.cells.map((c) => [`${c.code}:${c.slug}`, c]));
  const rowsOf = <T extends string>(present: Set<string>, order: readonly T[]) => [...order.filter((k) => present.has(k)), ...(present.has('all') ? ['all'] : [])];
  const countries = rowsOf(new Set(stats.charts.cells.map((c) => c.code)), currentTaxonomy().countryCodes);
  const topics = rowsOf(new Set(stats.charts.cells.map((c) => c.slug)), currentTaxonomy().topicSlugs);
  return (
    <EditorShell lang={props.lang} title={s.statsEditionTitle(props.subject)} tab="editions" csrf={props.csrf} altPath={`/${other}/editor/editions/${encodeURIComponent(props.editionId)}/stats`} head={chartStyles}>
      <p>
        <a href={base}>← {props.subject}</a> · <a href={`/api/editions/${encodeURIComponent(props.editionId)}/stats?format=csv`}>{s.statsCsv}</a>
      </p>
      <dl class="kpis">
        {kpis.map(([label, value]) => (
          <div>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p class="muted">
        {s.statsFiltered}: {stats.clicks.filtered}
        {stats.opens ? ` · ${s.statsOpens}: ${stats.opens.total} (${s.statsUnique.toLowerCase()} ${stats.opens.unique})` : ''}
      </p>
      {stats.charts.hourly.length ? (
        <LineChart id="clicks-hourly" title={s.statsClicksOverTime} labelHeading={s.statsHour} labels={stats.charts.hourly.map((_, h) => `+${h} h`)} series={[{ name: s.statsClicks, values: stats.charts.hourly, color: '#1f6fb2' }]} />
      ) : (
        <p>{s.statsNoData}</p>
      )}
      <BarChart id="clicks-items" title={s.statsClicksByItem} heading={[s.statsClicksByItem, `${s.statsClicks} (${s.statsUnique.toLowerCase()})`]} rows={stats.items.map((i) => ({ label: i.title, value: i.clicks, detail: `${i.clicks} (${i.unique})` }))} />
      {countries.length && topics.length ? (
        <HeatMap
          id="heat"
          title={s.statsHeatTitle}
          note={s.statsHeatNote}
          corner={`${s.statsCountry} \\ ${s.statsTopic}`}
          rows={countries.map((code) => ({ key: code, label: nameOfCountry(code, props.lang) }))}
          columns={topics.map((slug) => ({ key: slug, label: nameOfTopic(slug, props.lang) }))}
          value={(code, slug) => {
            const cell = cells.get(`${code}:${slug}`);
            return cell && cell.sent > 0 ? { rate: cell.unique / cell.sent, detail: `${percent(cell.unique / cell.sent)} (${cell.unique}/${cell.sent})` } : undefined;
          }}
        />
      ) : null}
    </EditorShell>
  );
}

export interface FeedbackRow {
  id: string;
  subject: string;
  sent: number;
  bounced: number;
  complained: number;
}

export function StatsDashboardPage(props: { lang: Lang; csrf: string; series: SeriesPoint[]; editions: FeedbackRow[] }) {
  const s = t(props.lang);
  const other = props.lang === 'es' ? 'en' : 'es';
  const sent = props.editions.filter((e) => e.sent > 0);
  return (
    <EditorShell lang={props.lang} title={s.statsTitle} tab="stats" csrf={props.csrf} altPath={`/${other}/editor/stats`} head={chartStyles}>
      {props.series.length ? (
        <LineChart
          id="subscribers"
          title={s.statsSubscribersTitle}
          note={s.statsSubscribersNote}
          labelHeading={s.statsDay}
          labels={props.series.map((p) => p.at.slice(5))}
          series={[
            { name: s.statsTotal, values: props.series.map((p) => p.total), color: '#1f6fb2' },
            { name: s.statsConfirmed, values: props.series.map((p) => p.confirmed), color: '#2e7d32' },
            { name: s.statsLeft, values: props.series.map((p) => p.unsubscribed + p.suppressed), color: '#b3261e' },
          ]}
        />
      ) : (
        <p>{s.statsNoData}</p>
      )}
      <h2>{s.statsFeedbackTitle}</h2>
      <p class="muted">{s.statsFeedbackNote}</p>
      {sent.length ? (
        <>
          <BarChart id="bounces" title={`${s.statsBounced} (5 %)`} heading={[s.statsEdition, s.statsRate]} asRate threshold={sesReviewThresholds.bounce} rows={sent.map((e) => ({ label: e.subject, value: e.bounced / e.sent, detail: `${percent(e.bounced / e.sent)} (${e.bounced}/${e.sent})` }))} />
          <BarChart id="complaints" title={`${s.statsComplained} (0.1 %)`} heading={[s.statsEdition, s.statsRate]} asRate threshold={sesReviewThresholds.complaint} rows={sent.map((e) => ({ label: e.subject, value: e.complained / e.sent, detail: `${percent(e.complained / e.sent)} (${e.complained}/${e.sent})` }))} />
        </>
      ) : (
        <p>{s.statsNoData}</p>
      )}
      <h2>{s.statsRecentEditions}</h2>
      <DataTable caption={s.statsRecentEditions} columns={[s.statsEdition, s.statsSent, '']}>
        {props.editions.map((e) => (
          <tr>
            <th scope="row">{e.subject}</th>
            <td class="num">{e.sent}</td>
            <td>
              <a href={`/${props.lang}/editor/editions/${encodeURIComponent(e.id)}/stats`}>{s.statsSeeStats}</a>
            </td>
          </tr>
        ))}
      </DataTable>
    </EditorShell>
  );
}
