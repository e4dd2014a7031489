// Server-rendered SVG charts, hand-written (no charting library is a dependency of the project, and these four shapes
// need little): each is a figure whose picture is `aria-hidden` and whose numbers are in the accessible table beside
// it, so a screen reader reads the table, not the drawing. Sizes are in viewBox units; the SVG scales to its box.
import type { Child } from 'hono/jsx';
import { DataTable } from './table.js';

const width = 640;
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const percent = (rate: number) => `${(rate * 100).toFixed(rate < 0.01 && rate > 0 ? 2 : 1)} %`;
export { percent };

function Figure(props: { id: string; title: string; note?: string; chart: Child; table: Child }) {
  return (
    <figure class="chart" aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`}>
        <strong>{props.title}</strong>
        {props.note ? <span class="muted"> {props.note}</span> : null}
      </figcaption>
      <div class="chart-body">
        <div class="chart-picture">{props.chart}</div>
        {/* Focusable so a keyboard can scroll a long table. */}
        <div class="chart-table" tabindex={0} role="region" aria-labelledby={`${props.id}-title`}>
          {props.table}
        </div>
      </div>
    </figure>
  );
}

/** Lines over shared x labels (days, hours), each with its own colour; y from 0 to the largest value. */
export function LineChart(props: { id: string; title: string; note?: string; labels: string[]; series: Array<{ name: string; values: number[]; color: string }>; labelHeading: string }) {
  const height = 220;
  const pad = { l: 40, r: 10, t: 10, b: 28 };
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  const n = Math.max(1, props.labels.length - 1);
  const x = (i: number) => pad.l + ((width - pad.l - pad.r) * i) / n;
  const y = (v: number) => height - pad.b - ((height - pad.t - pad.b) * v) / max;
  const every = Math.max(1, Math.ceil(props.labels.length / 8));
  const chart = (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-hidden="true" focusable="false" class="chart-svg">
      <line x1={pad.l} y1={y(0)} x2={width - pad.r} y2={y(0)} stroke="#888" />
      <line x1={pad.l} y1={pad.t} x2={pad.l} y2={y(0)} stroke="#888" />
      <text x={pad.l - 6} y={pad.t + 8} text-anchor="end" font-size="11">{fmt(max)}</text>
      <text x={pad.l - 6} y={y(0)} text-anchor="end" font-size="11">0</text>
      {props.labels.map((label, i) => (i % every === 0 ? <text x={x(i)} y={height - 8} text-anchor={i === props.labels.length - 1 ? 'end' : 'middle'} font-size="11">{label}</text> : null))}
      {props.series.map((s) => (
        <polyline fill="none" stroke={s.color} stroke-width="2" points={s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')} />
      ))}
      {props.series.map((s, k) => (
        <g>
          <rect x={pad.l + 10 + k * 130} y={pad.t} width="10" height="10" fill={s.color} />
          <text x={pad.l + 24 + k * 130} y={pad.t + 9} font-size="11">{s.name}</text>
        </g>
      ))}
    </svg>
  );
  const table = (
    <DataTable caption={props.title} columns={[props.labelHeading, ...props.series.map((s) => s.name)]}>
      {props.labels.map((label, i) => (
        <tr>
          <th scope="row">{label}</th>
          {props.series.map((s) => <td class="num">{fmt(s.values[i] ?? 0)}</td>)}
        </tr>
      ))}
    </DataTable>
  );
  return <Figure id={props.id} title={props.title} note={props.note} chart={chart} table={table} />;
}

/** Horizontal bars, one per row; an optional threshold drawn as a red line (rates against SES's review levels). */
export function BarChart(props: { id: string; title: string; note?: string; rows: Array<{ label: string; value: number; detail?: string }>; heading: [string, string]; threshold?: number; asRate?: boolean }) {
  const rowHeight = 26;
  const pad = { l: 180, r: 60, t: 6 };
  const height = pad.t * 2 + rowHeight * Math.max(1, props.rows.length);
  const max = Math.max(props.threshold ? props.threshold * 1.5 : 0, ...props.rows.map((r) => r.value), props.asRate ? 0 : 1) || 1;
  const x = (v: number) => pad.l + ((width - pad.l - pad.r) * v) / max;
  const show = (v: number) => (props.asRate ? percent(v) : fmt(v));
  const chart = (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-hidden="true" focusable="false" class="chart-svg">
      {props.rows.map((r, i) => (
        <g>
          <text x={pad.l - 6} y={pad.t + i * rowHeight + 17} text-anchor="end" font-size="12">{r.label.length > 28 ? `${r.label.slice(0, 27)}…` : r.label}</text>
          <rect x={pad.l} y={pad.t + i * rowHeight + 4} width={Math.max(1, x(r.value) - pad.l).toFixed(1)} height={rowHeight - 8} fill={props.threshold && r.value >= props.threshold ? '#b3261e' : '#1f6fb2'} />
          <text x={x(r.value) + 4} y={pad.t + i * rowHeight + 17} font-size="12">{show(r.value)}</text>
        </g>
      ))}
      {props.threshold ? <line x1={x(props.threshold)} y1={0} x2={x(props.threshold)} y2={height} stroke="#b3261e" stroke-dasharray="4 3" /> : null}
    </svg>
  );
  const table = (
    <DataTable caption={props.title} columns={props.heading}>
      {props.rows.map((r) => (
        <tr>
          <th scope="row">{r.label}</th>
          <td class="num">{r.detail ?? show(r.value)}</td>
        </tr>
      ))}
    </DataTable>
  );
  return <Figure id={props.id} title={props.title} note={props.note} chart={chart} table={table} />;
}

/** Rows × columns of rates, darker for higher; empty cells (no recipients) left blank. */
export function HeatMap(props: { id: string; title: string; note?: string; rows: Array<{ key: string; label: string }>; columns: Array<{ key: string; label: string }>; value: (row: string, column: string) => { rate: number; detail: string } | undefined; corner: string }) {
  const cell = 44;
  const pad = { l: 110, t: 110 };
  const height = pad.t + cell * props.rows.length + 4;
  const w = pad.l + cell * props.columns.length + 4;
  const max = Math.max(0.0001, ...props.rows.flatMap((r) => props.columns.map((c) => props.value(r.key, c.key)?.rate ?? 0)));
  const chart = (
    <svg viewBox={`0 0 ${w} ${height}`} role="img" aria-hidden="true" focusable="false" class="chart-svg">
      {props.columns.map((c, j) => (
        <text transform={`translate(${pad.l + j * cell + cell / 2},${pad.t - 6}) rotate(-55)`} font-size="11">{c.label.length > 18 ? `${c.label.slice(0, 17)}…` : c.label}</text>
      ))}
      {props.rows.map((r, i) => (
        <g>
          <text x={pad.l - 6} y={pad.t + i * cell + cell / 2 + 4} text-anchor="end" font-size="12">{r.label}</text>
          {props.columns.map((c, j) => {
            const v = props.value(r.key, c.key);
            const shade = v ? 0.12 + 0.88 * (v.rate / max) : 0;
            return (
              <g>
                <rect x={pad.l + j * cell} y={pad.t + i * cell} width={cell - 2} height={cell - 2} fill={v ? `rgba(31,111,178,${shade.toFixed(2)})` : '#f2f2f2'} />
                {v ? <text x={pad.l + j * cell + cell / 2 - 1} y={pad.t + i * cell + cell / 2 + 4} text-anchor="middle" font-size="10" fill={shade > 0.55 ? '#fff' : '#111'}>{Math.round(v.rate * 100)}</text> : null}
              </g>
            );
          })}
        </g>
      ))}
    </svg>
  );
  const table = (
    <DataTable caption={props.title} columns={[props.corner, ...props.columns.map((c) => c.label)]}>
      {props.rows.map((r) => (
        <tr>
          <th scope="row">{r.label}</th>
          {props.columns.map((c) => <td class="num">{props.value(r.key, c.key)?.detail ?? ''}</td>)}
        </tr>
      ))}
    </DataTable>
  );
  return <Figure id={props.id} title={props.title} note={props.note} chart={chart} table={table} />;
}
