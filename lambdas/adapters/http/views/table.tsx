// A data table in its scrolling wrapper: a caption, one row of column headings, and the rows the page gives.
import type { Child } from 'hono/jsx';

export function DataTable(props: {
  columns: Child[];
  /** Names the table; only screen readers get it unless `showCaption` (a heading above usually says it already). */
  caption?: string;
  showCaption?: boolean;
  class?: string;
  children: Child;
}) {
  return (
    <div class="table-wrap">
      <table class={props.class}>
        {props.caption === undefined ? null : <caption class={props.showCaption ? undefined : 'visually-hidden'}>{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
