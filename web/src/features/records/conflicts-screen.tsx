/**
 * Conflicts: fields that changed both here and at the provider since the last sync, held for a
 * person's decision (a mapping's `manual_review` strategy). Pending ones first; each is decided
 * by taking the provider's value or keeping Patchbay's (which is written back to the provider).
 */
import { Link, getRouteApi } from '@tanstack/react-router';
import { CONFLICT_STATUSES, useConflicts, useResolveConflict, type Conflict } from '../../api/hooks/conflicts';
import { Can } from '../../components/can';
import { CursorList, Filters, LIST_PAGE_SIZE, ListTable, SearchBox, SelectFilter, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { StatusBadge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { RelativeTime } from '../../components/ui/relative-time';
import { useToast } from '../../components/ui/toast';
import { shortValue } from './change-badge';
import '../../styles/syncs.css';

const route = getRouteApi('/_app/conflicts');

function Decide({ conflict }: { conflict: Conflict }) {
  const resolve = useResolveConflict();
  const toast = useToast();
  const busy = (resolution: 'accept' | 'reject') => resolve.isPending && resolve.variables?.resolution === resolution;
  const decide = (resolution: 'accept' | 'reject') =>
    resolve.mutate(
      { id: conflict.id, resolution },
      {
        onSuccess: () =>
          toast.success(
            resolution === 'accept' ? `Took the provider's ${conflict.field}` : `Kept Patchbay's ${conflict.field}`,
            resolution === 'accept' ? undefined : 'It is written back to the provider.',
          ),
        onError: (error) => toast.problem('Could not resolve the conflict', error),
      },
    );
  return (
    <Can scope="syncs:write">
      <div className="row-actions">
        <Button size="sm" busy={busy('accept')} disabled={resolve.isPending} onClick={() => decide('accept')} aria-label={`Take the provider's ${conflict.field} of ${conflict.externalId}`}>
          Take provider’s
        </Button>
        <Button size="sm" busy={busy('reject')} disabled={resolve.isPending} onClick={() => decide('reject')} aria-label={`Keep Patchbay's ${conflict.field} of ${conflict.externalId}`}>
          Keep Patchbay’s
        </Button>
      </div>
    </Can>
  );
}

export function ConflictsScreen() {
  // The status always has a value (pending by default), so it is a view rather than a filter.
  const list = useCursorList(route, { ignore: ['status'] });
  const { search, set } = list;
  const status = search.status ?? 'pending';
  const conflicts = useConflicts({ ...search, status, limit: LIST_PAGE_SIZE });
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/syncs">Syncs</Link> / <span aria-current="page">Conflicts</span>
      </nav>
      <PageHeader title="Conflicts" description="Fields changed both in Patchbay and at the provider since the last sync. Take the provider’s value, or keep Patchbay’s and write it back." />
      <Filters>
        <SelectFilter label="Status" value={status} options={CONFLICT_STATUSES} any={null} names={{ pending: 'pending review' }} onChange={(s) => set({ status: s === 'pending' ? undefined : s })} />
        <SearchBox label="Connection" value={search.connectionId} onSearch={(connectionId) => set({ connectionId })} placeholder="Exact connection id" />
      </Filters>
      <CursorList
        list={list}
        query={conflicts}
        noun="conflict"
        empty={
          <EmptyState title={status === 'pending' ? 'No conflict waits for review' : `No ${status} conflict`} action={<Link to="/syncs/mappings">Open the mappings</Link>}>
            {status === 'pending'
              ? 'A conflict is held here when a mapping asks for manual review and a field changed on both sides between two syncs.'
              : 'Decided conflicts show here with who decided them.'}
          </EmptyState>
        }
      >
        {(rows) => (
          <ListTable
            caption="Conflicts"
            columns={['Record', 'Field', 'Patchbay’s value', 'Provider’s value', status === 'pending' ? 'Held' : 'Decided', status === 'pending' ? { label: 'Decision', hidden: true } : 'Outcome']}
            rows={rows}
            rowKey={(c) => c.id}
          >
            {(c) => (
              <>
                <td>
                  <Link to="/records/$connectionId/$model/$externalId" params={{ connectionId: c.connectionId, model: c.model, externalId: c.externalId }} className="cell-main mono">
                    {c.externalId}
                  </Link>
                  <span className="muted cell-sub">
                    {c.model} · {c.connectionId}
                  </span>
                </td>
                <td className="mono">{c.field}</td>
                <td className="mono cell-wrap">{shortValue(c.patchbayValue)}</td>
                <td className="mono cell-wrap">{shortValue(c.providerValue)}</td>
                <td>
                  <RelativeTime value={c.resolvedAt ?? c.createdAt} />
                </td>
                <td>{c.status === 'pending' ? <Decide conflict={c} /> : <StatusBadge status={c.status} />}</td>
              </>
            )}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
