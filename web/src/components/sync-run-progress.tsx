/**
 * A sync run followed live (polled every second until it finishes): status and phase, a
 * progress bar that fills when the run ends, records fetched and written, rate and elapsed time.
 * The connection page and the Syncs screen both show it.
 */
import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useEnvironment } from '../api/session';
import { isFinished, useSyncRun, type SyncRun } from '../api/hooks/syncs';
import { ProblemAlert } from './page';
import { StatusBadge } from './ui/badge';
import { useToast } from './ui/toast';

/** What a run has read from the provider and what it changed here, and how fast. */
export function runFigures(run: SyncRun, now = Date.now()) {
  const fetched = run.added + run.updated + run.unchanged + run.deleted;
  const written = run.added + run.updated + run.deleted;
  const start = run.startedAt ? Date.parse(run.startedAt) : undefined;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  const elapsedMs = start === undefined ? 0 : Math.max(0, end - start);
  const rate = elapsedMs > 0 ? fetched / (elapsedMs / 1000) : undefined;
  return { fetched, written, elapsedMs, rate };
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const number = new Intl.NumberFormat();

/**
 * `announce`: when the run ends, say so in a toast — `always` (a run the user just started) or
 * `when-watched` (only if this page saw it running; opening an old run says nothing).
 */
export function SyncRunProgress({ runId, model, announce = 'always' }: { runId: string; model: string; announce?: 'always' | 'when-watched' }) {
  const run = useSyncRun(runId);
  const toast = useToast();
  const client = useQueryClient();
  const env = useEnvironment();
  const announced = useRef(false);
  const finished = isFinished(run.data);
  const wasRunning = useRef(false);
  if (run.data && !finished) wasRunning.current = true;
  useEffect(() => {
    if (!finished || announced.current || !run.data) return;
    announced.current = true;
    // The connection's last sync, its syncs' outcomes and the run lists changed with this run:
    // they are refreshed before the toast says so, as after a mutation (`useHubMutation`).
    const refreshed = Promise.all([client.invalidateQueries({ queryKey: [env, 'connections'] }), client.invalidateQueries({ queryKey: [env, 'sync-runs'] })]);
    if (announce === 'when-watched' && !wasRunning.current) return;
    const { status, added, updated, deleted } = run.data;
    void refreshed.then(() => (status === 'succeeded' ? toast.success(`${model} synced`, `${added} added, ${updated} updated, ${deleted} deleted.`) : toast.error(`${model} sync ${status}`)));
  }, [finished, run.data, model, toast, client, env, announce]);
  if (run.error) return <ProblemAlert error={run.error} action="Could not follow the run" />;
  if (!run.data) return null;
  const r = run.data;
  const { fetched, written, elapsedMs, rate } = runFigures(r);
  const done = r.status === 'succeeded';
  return (
    <div className="run-progress" role="status" aria-label={`Run of ${model}`}>
      <div className="run-progress__head">
        <StatusBadge status={r.status} />
        <span>{finished ? (done ? 'finished' : 'stopped') : r.phase || 'starting'}</span>
        {finished ? (
          <progress aria-label={`${model} sync progress`} max={100} value={done ? 100 : 0} />
        ) : (
          <progress aria-label={`${model} sync in progress`} />
        )}
        <span className="run-progress__percent">{done ? '100 %' : finished ? '—' : '…'}</span>
      </div>
      <dl className="run-progress__figures">
        <div>
          <dt>Fetched</dt>
          <dd>{number.format(fetched)}</dd>
        </div>
        <div>
          <dt>Written</dt>
          <dd>{number.format(written)}</dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd>{rate === undefined ? '—' : `${number.format(Math.round(rate))}/s`}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd>{r.startedAt ? formatDuration(elapsedMs) : 'queued'}</dd>
        </div>
      </dl>
      <p className="muted run-progress__detail">
        {r.pages} pages · {r.added} added · {r.updated} updated · {r.deleted} deleted · {r.unchanged} unchanged{r.errors.length ? ` · ${r.errors.length} errors` : ''}
      </p>
    </div>
  );
}
