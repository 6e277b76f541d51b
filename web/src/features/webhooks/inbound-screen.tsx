/** Inbound events: webhooks received from providers, with their verification and processing. */
import { getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { INBOUND_STATUSES, useInboundEvents } from '../../api/hooks/inbound';
import { useEnvironment } from '../../api/session';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { SearchBox } from '../../components/search-box';
import { StatusBadge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';

const route = getRouteApi('/_app/inbound-events');

export function InboundScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const environment = useEnvironment();
  const events = useInboundEvents({ ...search, limit: 50 });
  const statusId = useId();
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  return (
    <>
      <PageHeader title="Inbound events" description={`Webhooks providers sent to ${environment}'s sources: verified, stored, then processed.`} />
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor={statusId}>Status</label>
          <select id={statusId} value={search.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as never })}>
            <option value="">Any</option>
            {INBOUND_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <SearchBox label="Event type" value={search.eventType} onSearch={(eventType) => set({ eventType })} />
        <SearchBox label="Source id" value={search.sourceId} onSearch={(sourceId) => set({ sourceId })} />
      </div>
      <QueryView query={events} label="Loading inbound events">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title={search.status || search.eventType || search.sourceId ? 'No inbound event matches' : `No inbound events in ${environment} yet`}>
              Create a source (<code>POST /api/v1/sources</code>) and give its URL to the provider; what it sends shows here.
            </EmptyState>
          ) : (
            <>
              <Table caption="Inbound events">
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col">Source</th>
                    <th scope="col">Received</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((event) => (
                    <tr key={event.id}>
                      <td>
                        <span className="cell-main mono">{event.eventType ?? '(no type)'}</span>
                        <span className="muted mono cell-sub">{event.id}</span>
                      </td>
                      <td>
                        <StatusBadge status={event.status} />
                      </td>
                      <td className="mono">{event.sourceId}</td>
                      <td>
                        <RelativeTime value={event.receivedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <Pager cursor={search.cursor} nextCursor={page.nextCursor} count={page.data.length} onCursor={(cursor) => void navigate({ search: (prev) => ({ ...prev, cursor }) })} />
            </>
          )
        }
      </QueryView>
    </>
  );
}
