/**
 * The other shape a list screen takes: items that open in place (`<details>`: messages, inbound
 * events, event types, alerts). `children` renders one item's `<li>`.
 */
import { Fragment, type ReactNode } from 'react';

export function ItemList<T>({ label, rows, rowKey, children }: { label: string; rows: readonly T[]; rowKey: (row: T) => string; children: (row: T) => ReactNode }) {
  return (
    <ul className="message-list" aria-label={label}>
      {rows.map((row) => (
        <Fragment key={rowKey(row)}>{children(row)}</Fragment>
      ))}
    </ul>
  );
}
