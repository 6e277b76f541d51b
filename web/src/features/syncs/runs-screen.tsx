/** Syncs: every run in the environment, newest first, filtered by status, connection and model. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { SYNC_RUN_STATUSES, useSyncRuns } from '../../api/hooks/sync-runs';
import { useEnvironment } from '../../api/session';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { SearchBox } from '../../components/search-box';
import { formatDuration, runFigures } from '../../components/sync-run-progress';
import { StatusBadge } from '../../components/ui/badge';
import { buttonClass } from '../../components/ui/button';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';
import { modelName } from './model-name';
import '../../styles/syncs.css';

const route = getRouteApi('/_app/syncs/');
const number = new Intl.NumberFormat();

export function RunsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const environment = useEnvironment();
  const runs = useSyncRuns({ ...search, limit: 50 });
  const statusId = useId();
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  const filtered = Boolean(search.status || search.connectionId || search.model);
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
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor={statusId}>Status</label>
          <select id={statusId} value={search.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as never })}>
            <option value="">Any</option>
            {SYNC_RUN_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <SearchBox label="Connection" value={search.connectionId} onSearch={(connectionId) => set({ connectionId })} placeholder="Exact connection id" />
        <SearchBox label="Model" value={search.model} onSearch={(model) => set({ model })} placeholder="e.g. customers" />
      </div>
      <QueryView query={runs} label="Loading runs">
        {(page) =>
          page.data.length === 0 ? (
            filtered ? (
              <EmptyState title="No run matches these filters" action={<Link to="/syncs">Clear the filters</Link>}>
                Widen the filters, or check the environment in the top bar.
              </EmptyState>
            ) : (
              <EmptyState title={`No sync has run in ${environment} yet`} action={<Link to="/connections">Open the connections</Link>}>
                Schedule a model on a connection’s page, or run it now from there: its runs show here with their progress.
              </EmptyState>
            )
          ) : (
            <>
              <Table caption="Sync runs">
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Status</th>
                    <th scope="col">Connection</th>
                    <th scope="col" className="num">Fetched</th>
                    <th scope="col" className="num">Written</th>
                    <th scope="col">Started</th>
                    <th scope="col">Took</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((run) => {
                    const figures = runFigures(run);
                    return (
                      <tr key={run.id}>
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
                      </tr>
                    );
                  })}
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
