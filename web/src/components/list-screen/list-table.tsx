/**
 * A list's table: one header row from `columns`, one row per item. It scrolls inside its own
 * box below its natural width (`Table`), so a 360 px screen keeps every column reachable.
 */
import type { ReactNode } from 'react';
import { Table, TableHead, type Column } from '../ui/table';

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
