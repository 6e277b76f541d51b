/** One sync run: live progress while it runs, its facts and log, and what can be done to it. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useRun } from '../../api/hooks/sync-runs';
import { Facts, PageHeader, QueryView, Section } from '../../components/page';
import { SyncRunProgress } from '../../components/sync-run-progress';
import { StatusBadge } from '../../components/ui/badge';
import { CopyableId } from '../../components/ui/copyable-id';
import { RelativeTime } from '../../components/ui/relative-time';
import { modelName } from './model-name';
import { RunActions } from './run-actions';
import { RunLog } from './run-log';
import '../../styles/syncs.css';

const route = getRouteApi('/_app/syncs/runs/$runId');

const runLink = (id: string | null) => (id ? <Link to="/syncs/runs/$runId" params={{ runId: id }} className="mono">{id}</Link> : null);

export function RunScreen() {
  const { runId } = route.useParams();
  const run = useRun(runId);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/syncs">Syncs</Link> / <span aria-current="page">{runId}</span>
      </nav>
      <QueryView query={run} label="Loading the run">
        {(r) => {
          const model = modelName(r.model);
          return (
            <>
              <PageHeader
                title={r.revertsRunId ? `Rollback of a ${model} run` : `${model} run`}
                meta={
                  <>
                    <StatusBadge status={r.status} />
                    <span className="muted">
                      <Link to="/connections/$connectionId" params={{ connectionId: r.connectionId }} className="mono">
                        {r.connectionId}
                      </Link>{' '}
                      · {r.trigger} · {r.full ? 'full' : 'incremental'}
                    </span>
                  </>
                }
                actions={<RunActions run={r} />}
              />
              {r.rolledBackBy && (
                <div className="alert alert--warning run-alert">
                  <strong>Rolled back</strong>
                  <p>Its changes were undone by run {runLink(r.rolledBackBy)}.</p>
                </div>
              )}
              <Section title="Progress">
                <SyncRunProgress runId={r.id} model={model} announce="when-watched" />
              </Section>
              <div className="two-columns">
                <Section title="Details">
                  <Facts
                    items={[
                      ['Run id', <CopyableId value={r.id} label="run id" />],
                      ['Queued', <RelativeTime value={r.createdAt} />],
                      ['Started', <RelativeTime value={r.startedAt} empty="not yet" />],
                      ['Finished', <RelativeTime value={r.finishedAt} empty={r.startedAt ? 'still running' : 'not yet'} />],
                      ['Provider calls', String(r.providerCalls)],
                      ['Attempts', String(r.attempts)],
                      ['Conflicts', r.conflicts ? <Link to="/conflicts" search={{ connectionId: r.connectionId }}>{r.conflicts} held for review</Link> : '0'],
                      ['Reverts', runLink(r.revertsRunId)],
                    ]}
                  />
                  {r.model !== '$metrics' && (
                    <p className="section__note">
                      <Link to="/records" search={{ connectionId: r.connectionId, model: r.model }}>
                        Browse the {model} records of {r.connectionId}
                      </Link>
                    </p>
                  )}
                </Section>
                <Section title="Log">
                  <RunLog run={r} />
                </Section>
              </div>
            </>
          );
        }}
      </QueryView>
    </>
  );
}
