/**
 * A list's table: one header row from `columns`, one row per item. It scrolls inside its own
 * box below its natural width (`Table`), so a 360 px screen keeps every column reachable.
 */
import type { ReactNode } from 'react';
import { Table } from '../ui/table';

/** A column's heading; `numeric` aligns it right, `hidden` keeps it for screen readers only (an actions column). */
export type Column = string | { label: ReactNode; numeric?: boolean; hidden?: boolean };

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

export function ListTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  children,
}: {
  caption: string;
  columns: readonly Column[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  children: (row: T) => ReactNode;
}) {
  return (
    <Table caption={caption}>
      <TableHead columns={columns} />
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>{children(row)}</tr>
        ))}
      </tbody>
    </Table>
  );
}
