/**
 * A run's log, oldest first: queued, started, every error the run recorded (with its page),
 * a cancel request, the end. Built from the run itself, so it is complete for old runs too.
 */
import type { SyncRun } from '../../api/hooks/syncs';
import { Badge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';

interface Entry {
  at: string;
  tone: 'neutral' | 'danger' | 'success' | 'warning';
  label: string;
  text: string;
}

const TRIGGERS: Record<string, string> = { manual: 'Run by hand', schedule: 'Run on schedule', webhook: 'Run by a provider webhook', reconcile: 'Reconciling on schedule' };

function entries(run: SyncRun): Entry[] {
  const why = run.revertsRunId ? `Rollback of ${run.revertsRunId}` : (TRIGGERS[run.trigger] ?? `Run (${run.trigger})`);
  const list: Entry[] = [{ at: run.createdAt, tone: 'neutral', label: 'queued', text: `${why}, ${run.full ? 'reading everything' : 'reading what changed since the last run'}.` }];
  if (run.startedAt) list.push({ at: run.startedAt, tone: 'neutral', label: 'started', text: run.attempts > 1 ? `Attempt ${run.attempts}.` : 'Reading from the provider.' });
  for (const error of run.errors) list.push({ at: error.at, tone: 'danger', label: error.code, text: `${error.page === null ? '' : `Page ${error.page}: `}${error.message}` });
  if (run.cancelRequestedAt) list.push({ at: run.cancelRequestedAt, tone: 'warning', label: 'cancel', text: 'Asked to stop; what it committed stays.' });
  if (run.finishedAt) {
    const tone = run.status === 'succeeded' ? 'success' : run.status === 'failed' ? 'danger' : 'warning';
    list.push({ at: run.finishedAt, tone, label: run.status, text: `${run.pages} pages, ${run.providerCalls} provider calls: ${run.added} added, ${run.updated} updated, ${run.deleted} deleted, ${run.unchanged} unchanged.` });
  }
  return list.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function RunLog({ run }: { run: SyncRun }) {
  return (
    <ol className="run-log" aria-label="Run log">
      {entries(run).map((entry, index) => (
        <li key={`${entry.at}-${index}`} className="run-log__entry">
          <span className="run-log__time">
            <RelativeTime value={entry.at} />
          </span>
          <Badge tone={entry.tone}>{entry.label}</Badge>
          <span className="run-log__text">{entry.text}</span>
        </li>
      ))}
    </ol>
  );
}
