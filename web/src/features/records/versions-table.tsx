/**
 * A record's versions side by side: one column per version (newest first), one row per field;
 * a cell that differs from the version before it is marked, so what each sync changed stands out.
 */
import type { SyncedRecord } from '../../api/hooks/records';
import { Table } from '../../components/ui/table';
import { shortValue } from './change-badge';

/** Columns shown at most; older versions stay in the API's answer. */
const MAX_VERSIONS = 6;

interface Column {
  version: number;
  data: Record<string, unknown>;
  deleted: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function VersionsTable({ record }: { record: SyncedRecord }) {
  const columns: Column[] = [{ version: record.version, data: record.data, deleted: Boolean(record.deletedAt) }, ...record.versions.map((v) => ({ version: v.version, data: v.data, deleted: Boolean(v.deletedAt) }))].slice(0, MAX_VERSIONS);
  const fields = [...new Set(columns.flatMap((c) => Object.keys(c.data)))].sort();
  return (
    <div className="versions">
      <Table caption={`Versions of ${record.externalId}, newest first`}>
        <thead>
          <tr>
            <th scope="col">Field</th>
            {columns.map((column, index) => (
              <th scope="col" key={column.version}>
                v{column.version}
                {index === 0 ? ' (current)' : ''}
                {column.deleted ? ' · deleted' : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => (
            <tr key={field}>
              <th scope="row" className="mono">
                {field}
              </th>
              {columns.map((column, index) => {
                const previous = columns[index + 1];
                const changed = previous !== undefined && !same(column.data[field], previous.data[field]);
                return (
                  <td key={column.version} className={`mono cell-wrap${changed ? ' version-cell--changed' : ''}`}>
                    {field in column.data ? shortValue(column.data[field], 120) : <span className="muted">absent</span>}
                    {changed && <span className="visually-hidden"> (changed in this version)</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </Table>
      {record.versions.length + 1 > MAX_VERSIONS && <p className="muted section__note">The {MAX_VERSIONS} newest of {record.versions.length + 1} versions.</p>}
    </div>
  );
}
