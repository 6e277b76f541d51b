/** Jobs: background work of this environment; failed (dead) ones can be retried. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { useJobs, useRetryJob } from '../../api/hooks/jobs';
import { Can } from '../../components/can';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { SearchBox } from '../../components/search-box';
import { StatusBadge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';
import { useToast } from '../../components/ui/toast';

const route = getRouteApi('/_app/jobs');

export function JobsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const jobs = useJobs({ ...search, limit: 50 });
  const retry = useRetryJob();
  const toast = useToast();
  const stateId = useId();
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  return (
    <>
      <PageHeader title="Jobs" description="Deliveries, syncs, token refreshes and other background work. A failed job has used all its attempts." />
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor={stateId}>State</label>
          <select id={stateId} value={search.state ?? ''} onChange={(e) => set({ state: (e.target.value || undefined) as never })}>
            <option value="">Any</option>
            <option value="pending">waiting</option>
            <option value="running">running</option>
            <option value="failed">failed</option>
          </select>
        </div>
        <SearchBox label="Type" value={search.type} onSearch={(type) => set({ type })} placeholder="e.g. outbound.dispatch" />
      </div>
      <QueryView query={jobs} label="Loading jobs">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState
              title={search.state === 'failed' ? 'No failed jobs' : search.state || search.type ? 'No job matches' : 'No job is waiting, running or failed'}
              action={search.state || search.type ? <Link to="/jobs">Show every job</Link> : undefined}
            >
              {search.state === 'failed' ? 'Nothing is stuck: every job either succeeded or is still being retried.' : 'Finished jobs leave the queue; work that is scheduled or retrying shows here.'}
            </EmptyState>
          ) : (
            <>
              <Table caption="Jobs">
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col">State</th>
                    <th scope="col" className="num">Attempts</th>
                    <th scope="col">Last error</th>
                    <th scope="col">Runs at</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((job) => (
                    <tr key={job.id}>
                      <td>
                        <span className="cell-main mono">{job.type}</span>
                        <span className="muted mono cell-sub">{job.id}</span>
                      </td>
                      <td>
                        <StatusBadge status={job.state} />
                      </td>
                      <td className="num">
                        {job.attempts}
                        {job.maxAttempts ? ` / ${job.maxAttempts}` : ''}
                      </td>
                      <td className="cell-wrap">{job.lastError ?? <span className="muted">—</span>}</td>
                      <td>
                        <RelativeTime value={job.runAt} />
                      </td>
                      <td>
                        {job.state === 'failed' && (
                          <Can scope="jobs:write">
                            <Button
                              size="sm"
                              busy={retry.isPending && retry.variables === job.id}
                              onClick={() => retry.mutate(job.id, { onSuccess: () => toast.success('Job queued again', job.type), onError: (error) => toast.problem('Could not retry the job', error) })}
                            >
                              Retry
                            </Button>
                          </Can>
                        )}
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
