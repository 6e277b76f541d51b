/** A connection's syncs: model, schedule, last run and its outcome. */
import { useConnectionSyncs } from '../../api/hooks/connections';
import { QueryView, Section } from '../../components/page';
import { StatusBadge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';

export function ConnectionSyncs({ connectionId }: { connectionId: string }) {
  const syncs = useConnectionSyncs(connectionId);
  return (
    <Section title="Syncs">
      <QueryView query={syncs} label="Loading syncs">
        {(result) =>
          result.data.length === 0 ? (
            <p className="muted">
              {result.models.length
                ? `No sync configured yet. The connector offers ${result.models.map((m) => m.model).join(', ')}; configure one with PUT /api/v1/connections/${connectionId}/syncs/{model}.`
                : 'This connector has no sync models.'}
            </p>
          ) : (
            <Table caption="Syncs of this connection">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Every</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Next run</th>
                </tr>
              </thead>
              <tbody>
                {result.data.map((sync) => (
                  <tr key={sync.id}>
                    <td className="cell-main">{sync.model === '$metrics' ? 'metrics' : sync.model}</td>
                    <td>{sync.kind}</td>
                    <td>{sync.frequency ?? '—'}</td>
                    <td>
                      <RelativeTime value={sync.lastRunAt} empty="never" />
                    </td>
                    <td>{sync.lastStatus ? <StatusBadge status={sync.lastStatus} /> : <span className="muted">—</span>}</td>
                    <td>{sync.enabled ? <RelativeTime value={sync.nextRunAt} empty="not scheduled" /> : <span className="muted">paused</span>}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )
        }
      </QueryView>
    </Section>
  );
}
