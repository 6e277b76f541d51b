/** Jobs: background work of this environment; failed (dead) ones can be retried. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useJobs, useRetryJob, type Job } from '../../api/hooks/jobs';
import { Can } from '../../components/can';
import { CursorList, Filters, LIST_PAGE_SIZE, ListTable, SearchBox, SelectFilter, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { StatusBadge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { RelativeTime } from '../../components/ui/relative-time';
import { useToast } from '../../components/ui/toast';

const route = getRouteApi('/_app/jobs');
const STATES = ['pending', 'running', 'failed'] as const;

function RetryJob({ job }: { job: Job }) {
  const retry = useRetryJob();
  const toast = useToast();
  return (
    <Button
      size="sm"
      busy={retry.isPending}
      onClick={() => retry.mutate(job.id, { onSuccess: () => toast.success('Job queued again', job.type), onError: (error) => toast.problem('Could not retry the job', error) })}
    >
      Retry
    </Button>
  );
}

export function JobsScreen() {
  const list = useCursorList(route);
  const { search, set } = list;
  const jobs = useJobs({ ...search, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader title="Jobs" description="Deliveries, syncs, token refreshes and other background work. A failed job has used all its attempts." />
      <Filters>
        <SelectFilter label="State" value={search.state} options={STATES} names={{ pending: 'waiting' }} onChange={(state) => set({ state })} />
        <SearchBox label="Type" value={search.type} onSearch={(type) => set({ type })} placeholder="e.g. outbound.dispatch" />
      </Filters>
      <CursorList
        list={list}
        query={jobs}
        noun="job"
        empty={<EmptyState title="No job is waiting, running or failed">Finished jobs leave the queue; work that is scheduled or retrying shows here.</EmptyState>}
        noMatch={
          <EmptyState title={search.state === 'failed' && !search.type ? 'No failed jobs' : 'No job matches'} action={<Link to="/jobs">Show every job</Link>}>
            {search.state === 'failed' ? 'Nothing is stuck: every job either succeeded or is still being retried.' : 'Finished jobs leave the queue; work that is scheduled or retrying shows here.'}
          </EmptyState>
        }
      >
        {(rows) => (
          <ListTable caption="Jobs" columns={['Type', 'State', { label: 'Attempts', numeric: true }, 'Last error', 'Runs at', { label: 'Actions', hidden: true }]} rows={rows} rowKey={(job) => job.id}>
            {(job) => (
              <>
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
                      <RetryJob job={job} />
                    </Can>
                  )}
                </td>
              </>
            )}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
