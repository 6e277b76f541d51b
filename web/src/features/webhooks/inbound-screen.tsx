/** Inbound events: webhooks received from providers, with their verification and processing. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { INBOUND_STATUSES, useInboundEvents, type InboundEvent } from '../../api/hooks/inbound';
import { useReprocessMatching, type ReprocessFilter } from '../../api/hooks/sources';
import { Can } from '../../components/can';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { useToast } from '../../components/ui/toast';
import { InboundEventDetail, Verification } from './inbound-event-detail';
import '../../styles/webhooks.css';
import { useEnvironment } from '../../api/session';
import { CursorList, ItemList, Filters, LIST_PAGE_SIZE, SearchBox, SelectFilter, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { StatusBadge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';

const route = getRouteApi('/_app/inbound-events');

function InboundItem({ event }: { event: InboundEvent }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="message">
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <span className="cell-main mono">{event.eventType ?? '(no type)'}</span>
          <span className="badge-row">
            <StatusBadge status={event.status} />
            <span className="muted">verification</span> <Verification event={event} />
            <RelativeTime value={event.receivedAt} />
          </span>
        </summary>
        <InboundEventDetail event={event} open={open} />
      </details>
    </li>
  );
}

/** Reprocess every event the current filters match (the hub takes processed, failed and duplicate ones). */
function ReprocessMatching({ filters }: { filters: ReprocessFilter }) {
  const reprocess = useReprocessMatching();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const described = Object.entries(filters)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} = ${String(v)}`)
    .join(', ');
  return (
    <>
      <Button onClick={() => setOpen(true)}>Reprocess all matching</Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Reprocess all matching events?"
        description={`Every processed, failed or duplicate event ${described ? `with ${described}` : 'of this environment'} is processed again (up to 1,000).`}
        actions={
          <>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button
              variant="primary"
              busy={reprocess.isPending}
              onClick={() =>
                reprocess.mutate(
                  { ...filters, limit: 1000 },
                  {
                    onSuccess: (r) => {
                      setOpen(false);
                      toast.success(`${r.count} event${r.count === 1 ? '' : 's'} reprocessed`);
                    },
                    onError: (error) => toast.problem('Could not reprocess', error),
                  },
                )
              }
            >
              Reprocess
            </Button>
          </>
        }
      />
    </>
  );
}

export function InboundScreen() {
  const list = useCursorList(route);
  const { search, set } = list;
  const environment = useEnvironment();
  const events = useInboundEvents({ ...search, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader
        title="Inbound events"
        description={`Webhooks providers sent to ${environment}'s sources: verified, stored, then processed.`}
        actions={
          <>
            <Link to="/sources">Sources</Link>
            <Can scope="inbound:reprocess">
              {/* Offered only when the filters match something. */}
              {events.data?.data.length ? <ReprocessMatching filters={{ status: search.status, sourceId: search.sourceId, eventType: search.eventType }} /> : null}
            </Can>
          </>
        }
      />
      <Filters>
        <SelectFilter label="Status" value={search.status} options={INBOUND_STATUSES} onChange={(status) => set({ status })} />
        <SearchBox label="Event type" value={search.eventType} onSearch={(eventType) => set({ eventType })} />
        <SearchBox label="Source id" value={search.sourceId} onSearch={(sourceId) => set({ sourceId })} />
      </Filters>
      <CursorList
        list={list}
        query={events}
        noun="inbound event"
        empty={
          <EmptyState title={`No inbound events in ${environment} yet`}>
            <Link to="/sources">Create a source</Link> and give its URL to the provider; what it sends shows here.
          </EmptyState>
        }
      >
        {(rows) => (
          <ItemList label="Inbound events" rows={rows} rowKey={(event) => event.id}>
            {(event) => <InboundItem event={event} />}
          </ItemList>
        )}
      </CursorList>
    </>
  );
}
