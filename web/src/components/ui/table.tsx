/**
 * A data table that scrolls sideways inside its own box on narrow screens instead of pushing
 * the page. `caption` names it for assistive technology (visually hidden unless `showCaption`).
 */
import type { ReactNode, TableHTMLAttributes } from 'react';

/** A column's heading; `numeric` aligns it right, `hidden` keeps it for screen readers only (an actions column). */
export type Column = string | { label: ReactNode; numeric?: boolean; hidden?: boolean };

/** A table's header row, one `th scope="col"` per column. */
export function TableHead({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, index) => {
          const { label, numeric, hidden } = typeof column === 'string' ? { label: column } : column;
          return (
            <th key={index} scope="col" className={numeric ? 'num' : undefined}>
              {hidden ? <span className="visually-hidden">{label}</span> : label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

export function Table({ caption, showCaption = false, children, ...rest }: { caption: string; showCaption?: boolean; children: ReactNode } & TableHTMLAttributes<HTMLTableElement>) {
  return (
    // Focusable and named, so a keyboard can scroll a table wider than the screen.
    <div className="ui-table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table className="ui-table" {...rest}>
        <caption className={showCaption ? 'ui-table__caption' : 'visually-hidden'}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}
