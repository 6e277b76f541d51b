/** A sync run followed live: status, phase, pages and records, until it finishes. */
import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useEnvironment } from '../../api/session';
import { isFinished, useSyncRun } from '../../api/hooks/syncs';
import { ProblemAlert } from '../../components/page';
import { StatusBadge } from '../../components/ui/badge';
import { useToast } from '../../components/ui/toast';

export function SyncRunProgress({ runId, model }: { runId: string; model: string }) {
  const run = useSyncRun(runId);
  const toast = useToast();
  const client = useQueryClient();
  const env = useEnvironment();
  const announced = useRef(false);
  const finished = isFinished(run.data);
  useEffect(() => {
    if (!finished || announced.current || !run.data) return;
    announced.current = true;
    // The connection's last sync and its syncs' outcomes changed with this run.
    void client.invalidateQueries({ queryKey: [env, 'connections'] });
    const { status, added, updated, deleted } = run.data;
    if (status === 'succeeded') toast.success(`${model} synced`, `${added} added, ${updated} updated, ${deleted} deleted.`);
    else toast.error(`${model} sync ${status}`);
  }, [finished, run.data, model, toast, client, env]);
  if (run.error) return <ProblemAlert error={run.error} action="Could not follow the run" />;
  if (!run.data) return null;
  const r = run.data;
  return (
    <div className="run-progress" role="status" aria-label={`Run of ${model}`}>
      <StatusBadge status={r.status} />
      <span>{finished ? 'finished' : r.phase || 'starting'}</span>
      <span className="muted">
        {r.pages} pages · {r.added} added · {r.updated} updated · {r.unchanged} unchanged{r.errors ? ` · ${r.errors} errors` : ''}
      </span>
      {!finished && <progress aria-label={`${model} sync in progress`} />}
    </div>
  );
}
