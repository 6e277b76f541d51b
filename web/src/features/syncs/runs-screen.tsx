/** Syncs: every run in the environment, newest first, filtered by status, connection and model. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { SYNC_RUN_STATUSES, useSyncRuns } from '../../api/hooks/sync-runs';
import { useEnvironment } from '../../api/session';
import { CursorList, Filters, LIST_PAGE_SIZE, ListTable, SearchBox, SelectFilter, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { formatDuration, runFigures } from '../../components/sync-run-progress';
import { StatusBadge } from '../../components/ui/badge';
import { buttonClass } from '../../components/ui/button';
import { RelativeTime } from '../../components/ui/relative-time';
import { modelName } from './model-name';
import '../../styles/syncs.css';

const route = getRouteApi('/_app/syncs/');
const number = new Intl.NumberFormat();

export function RunsScreen() {
  const list = useCursorList(route);
  const { search, set } = list;
  const environment = useEnvironment();
  const runs = useSyncRuns({ ...search, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader
        title="Syncs"
        description={`Every sync run in ${environment}, newest first: what each read from the provider and what it changed here.`}
        actions={
          <>
            <Link to="/records" className={buttonClass()}>
              Browse records
            </Link>
            <Link to="/syncs/mappings" className={buttonClass()}>
              Mappings
            </Link>
            <Link to="/conflicts" className={buttonClass()}>
              Conflicts
            </Link>
          </>
        }
      />
      <Filters>
        <SelectFilter label="Status" value={search.status} options={SYNC_RUN_STATUSES} onChange={(status) => set({ status })} />
        <SearchBox label="Connection" value={search.connectionId} onSearch={(connectionId) => set({ connectionId })} placeholder="Exact connection id" />
        <SearchBox label="Model" value={search.model} onSearch={(model) => set({ model })} placeholder="e.g. customers" />
      </Filters>
      <CursorList
        list={list}
        query={runs}
        noun="run"
        empty={
          <EmptyState title={`No sync has run in ${environment} yet`} action={<Link to="/connections">Open the connections</Link>}>
            Schedule a model on a connection’s page, or run it now from there: its runs show here with their progress.
          </EmptyState>
        }
      >
        {(rows) => (
          <ListTable
            caption="Sync runs"
            columns={['Run', 'Status', 'Connection', { label: 'Fetched', numeric: true }, { label: 'Written', numeric: true }, 'Started', 'Took']}
            rows={rows}
            rowKey={(run) => run.id}
          >
            {(run) => {
              const figures = runFigures(run);
              return (
                <>
                  <td>
                    <Link to="/syncs/runs/$runId" params={{ runId: run.id }} className="cell-main">
                      {modelName(run.model)}
                    </Link>
                    <span className="muted mono cell-sub">
                      {run.id} · {run.revertsRunId ? 'rollback' : run.trigger}
                    </span>
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                    {run.rolledBackBy && <span className="muted cell-sub">rolled back</span>}
                  </td>
                  <td>
                    <Link to="/connections/$connectionId" params={{ connectionId: run.connectionId }} className="mono">
                      {run.connectionId}
                    </Link>
                  </td>
                  <td className="num">{number.format(figures.fetched)}</td>
                  <td className="num">{number.format(figures.written)}</td>
                  <td>
                    <RelativeTime value={run.startedAt ?? run.createdAt} />
                  </td>
                  <td>{run.startedAt ? formatDuration(figures.elapsedMs) : <span className="muted">queued</span>}</td>
                </>
              );
            }}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
