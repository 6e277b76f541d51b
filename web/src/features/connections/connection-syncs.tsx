/**
 * A connection's syncs: model, schedule, last run and its outcome; "Run now" follows the run
 * live; a model the connector offers but nobody scheduled can be scheduled from here.
 */
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useConnectionSyncs, type ConnectionSyncs as Syncs } from '../../api/hooks/connections';
import { useConfigureSync, useTriggerSync } from '../../api/hooks/syncs';
import { Can } from '../../components/can';
import { QueryView, Section } from '../../components/page';
import { StatusBadge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table, TableHead } from '../../components/ui/table';
import { useToast } from '../../components/ui/toast';
import { SyncRunProgress } from '../../components/sync-run-progress';

type Sync = Syncs['data'][number];

function SyncRow({ sync, runId, onRun }: { sync: Sync; runId: string | undefined; onRun: (runId: string) => void }) {
  const trigger = useTriggerSync();
  const toast = useToast();
  const model = sync.model === '$metrics' ? 'metrics' : sync.model;
  return (
    <>
      <tr>
        <td className="cell-main">{model}</td>
        <td>{sync.frequency ?? '—'}</td>
        <td>
          {sync.lastRunId ? (
            <Link to="/syncs/runs/$runId" params={{ runId: sync.lastRunId }}>
              <RelativeTime value={sync.lastRunAt} />
              <span className="visually-hidden"> (the last {model} run)</span>
            </Link>
          ) : (
            <RelativeTime value={sync.lastRunAt} empty="never" />
          )}
        </td>
        <td>{sync.lastStatus ? <StatusBadge status={sync.lastStatus} /> : <span className="muted">—</span>}</td>
        <td>{sync.enabled ? <RelativeTime value={sync.nextRunAt} empty="not scheduled" /> : <span className="muted">paused</span>}</td>
        <td>
          <Can scope="syncs:write">
            <Button size="sm" busy={trigger.isPending} onClick={() => trigger.mutate(sync.id, { onSuccess: (result) => onRun(result.run.id), onError: (error) => toast.problem(`Could not run ${model}`, error) })}>
              Run {model} now
            </Button>
          </Can>
        </td>
      </tr>
      {runId && (
        <tr>
          <td colSpan={6}>
            <SyncRunProgress runId={runId} model={model} />
            <Link to="/syncs/runs/$runId" params={{ runId }}>
              Open the {model} run
            </Link>
          </td>
        </tr>
      )}
    </>
  );
}

function Unscheduled({ connectionId, models }: { connectionId: string; models: Syncs['models'] }) {
  const configure = useConfigureSync(connectionId);
  const toast = useToast();
  if (!models.length) return null;
  return (
    <div className="unscheduled">
      <p className="muted">Offered by the connector, not scheduled yet:</p>
      <ul className="badge-row">
        {models.map((m) => (
          <li key={m.model} className="unscheduled__model">
            <span className="mono">{m.model}</span> <span className="muted">{m.frequency ? `(${m.frequency})` : ''}</span>
            <Can scope="syncs:write">
              <Button
                size="sm"
                busy={configure.isPending && configure.variables?.model === m.model}
                onClick={() => configure.mutate({ model: m.model, settings: { enabled: true } }, { onSuccess: () => toast.success(`${m.model} scheduled`, m.frequency ? `It runs ${m.frequency}.` : undefined), onError: (error) => toast.problem(`Could not schedule ${m.model}`, error) })}
              >
                Schedule {m.model}
              </Button>
            </Can>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ConnectionSyncs({ connectionId }: { connectionId: string }) {
  const syncs = useConnectionSyncs(connectionId);
  const [runs, setRuns] = useState<Record<string, string>>({});
  return (
    <Section
      title="Syncs"
      actions={
        <Link to="/syncs" search={{ connectionId }}>
          Every run of this connection
        </Link>
      }
    >
      <QueryView query={syncs} label="Loading syncs">
        {(result) => {
          const scheduled = new Set(result.data.map((s) => s.model));
          const unscheduled = result.models.filter((m) => !scheduled.has(m.model));
          return (
            <>
              {result.data.length === 0 ? (
                <p className="muted">{result.models.length ? 'No sync scheduled yet.' : 'This connector has no sync models.'}</p>
              ) : (
                <Table caption="Syncs of this connection">
                  <TableHead columns={['Model', 'Every', 'Last run', 'Outcome', 'Next run', { label: 'Actions', hidden: true }]} />
                  <tbody>
                    {result.data.map((sync) => (
                      <SyncRow key={sync.id} sync={sync} runId={runs[sync.id]} onRun={(runId) => setRuns((all) => ({ ...all, [sync.id]: runId }))} />
                    ))}
                  </tbody>
                </Table>
              )}
              <Unscheduled connectionId={connectionId} models={unscheduled} />
            </>
          );
        }}
      </QueryView>
    </Section>
  );
}
