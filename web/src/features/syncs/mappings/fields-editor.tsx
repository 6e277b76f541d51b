/**
 * A mapping's fields as rows to edit: provider field, Patchbay field, direction. A row's
 * transforms are kept as they are (shown, not edited here). Viewers get the same table read-only.
 */
import { DIRECTIONS, type FieldMapping } from '../../../api/hooks/mappings';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { Table, TableHead } from '../../../components/ui/table';

export function FieldsEditor({ fields, onChange, readOnly }: { fields: FieldMapping[]; onChange: (fields: FieldMapping[]) => void; readOnly: boolean }) {
  const set = (index: number, patch: Partial<FieldMapping>) => onChange(fields.map((f, i) => (i === index ? { ...f, ...patch } : f)));
  return (
    <>
      <Table caption="Fields of the mapping">
        <TableHead columns={['Provider field', 'Patchbay field', 'Direction', { label: 'Actions', hidden: true }]} />
        <tbody>
          {fields.map((field, index) => (
            <tr key={index}>
              <td>
                {readOnly ? (
                  <span className="mono">{field.source}</span>
                ) : (
                  <input className="mapping-input" aria-label={`Provider field of row ${index + 1}`} value={field.source} onChange={(e) => set(index, { source: e.target.value })} required />
                )}
              </td>
              <td>
                {readOnly ? (
                  <span className="mono">{field.target}</span>
                ) : (
                  <input className="mapping-input" aria-label={`Patchbay field of row ${index + 1}`} value={field.target} onChange={(e) => set(index, { target: e.target.value })} required />
                )}
                {field.transforms?.length ? <Badge>{`${field.transforms.length} transform${field.transforms.length > 1 ? 's' : ''}`}</Badge> : null}
              </td>
              <td>
                {readOnly ? (
                  field.direction
                ) : (
                  <select aria-label={`Direction of row ${index + 1}`} value={field.direction} onChange={(e) => set(index, { direction: e.target.value as FieldMapping['direction'] })}>
                    {DIRECTIONS.map((d) => (
                      <option key={d} value={d}>
                        {d}
                      </option>
                    ))}
                  </select>
                )}
              </td>
              <td>
                {!readOnly && fields.length > 1 && (
                  <Button size="sm" variant="ghost" onClick={() => onChange(fields.filter((_, i) => i !== index))} aria-label={`Remove row ${index + 1} (${field.target})`}>
                    Remove
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      {!readOnly && (
        <div>
          <Button size="sm" onClick={() => onChange([...fields, { source: '', target: '', direction: 'import' }])}>
            Add a field
          </Button>
        </div>
      )}
    </>
  );
}
