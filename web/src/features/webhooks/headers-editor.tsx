/** Custom request headers as name/value rows, added and removed one by one. */
import { Button } from '../../components/ui/button';
import '../../styles/webhooks.css';

export interface HeaderRow {
  key: number;
  name: string;
  value: string;
}

let nextKey = 1;
export const rowsOf = (headers: Record<string, string>): HeaderRow[] => Object.entries(headers).map(([name, value]) => ({ key: nextKey++, name, value }));
export const headersOf = (rows: HeaderRow[]): Record<string, string> => Object.fromEntries(rows.filter((r) => r.name.trim()).map((r) => [r.name.trim(), r.value]));

export function HeadersEditor({ rows, onChange, masked }: { rows: HeaderRow[]; onChange: (rows: HeaderRow[]) => void; masked: boolean }) {
  const change = (key: number, patch: Partial<HeaderRow>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <fieldset className="field headers-editor">
      <legend>Custom headers</legend>
      <p className="field__help">
        Sent with every request, before the signature headers.{masked && rows.length > 0 ? ' Secret-looking values are shown masked; they are kept unless you change the headers.' : ''}
      </p>
      {rows.map((row, i) => (
        <div key={row.key} className="headers-editor__row">
          <input aria-label={`Header ${i + 1} name`} placeholder="x-tenant" className="mono" value={row.name} onChange={(e) => change(row.key, { name: e.target.value })} />
          <input aria-label={`Header ${i + 1} value`} placeholder="value" className="mono" value={row.value} onChange={(e) => change(row.key, { value: e.target.value })} />
          <Button size="sm" variant="ghost" aria-label={`Remove header ${row.name || i + 1}`} onClick={() => onChange(rows.filter((r) => r.key !== row.key))}>
            Remove
          </Button>
        </div>
      ))}
      <div>
        <Button size="sm" onClick={() => onChange([...rows, { key: nextKey++, name: '', value: '' }])}>
          Add header
        </Button>
      </div>
    </fieldset>
  );
}
