import type { ReactNode } from 'react';

/** A column heading; `num` right-aligns it (and its cells should use `className="num"`). */
export type Column = string | { label: string; num: true };

/**
 * A table in its sideways-scrolling wrapper: the caption that names it (visually hidden when the page
 * heading already says it), one header row, the rows, and a one-cell row saying so when there are none.
 * Rows are the caller's own `<tr>`s, so each table keeps its cells' meaning in its own file.
 */
export const DataTable = <T,>({
  name,
  hideName = false,
  columns,
  rows,
  row,
  empty,
  busy,
  className,
  children,
}: {
  name: string;
  hideName?: boolean;
  columns: Column[];
  rows: T[];
  row: (item: T) => ReactNode;
  empty?: ReactNode;
  busy?: boolean;
  className?: string;
  children?: ReactNode;
}) => (
  <div className={className ? `table-wrap ${className}` : 'table-wrap'} aria-busy={busy}>
    <table>
      <caption className={hideName ? 'visually-hidden' : undefined}>{name}</caption>
      <thead>
        <tr>
          {columns.map((c) =>
            typeof c === 'string' ? (
              <th key={c} scope="col">
                {c}
              </th>
            ) : (
              <th key={c.label} scope="col" className="num">
                {c.label}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && empty ? (
          <tr>
            <td colSpan={columns.length} className="muted">
              {empty}
            </td>
          </tr>
        ) : (
          rows.map(row)
        )}
      </tbody>
    </table>
    {children}
  </div>
);
