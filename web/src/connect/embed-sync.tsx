/**
 * The embeddable sync progress card (`/connect/embed/sync?connection=…#token=pb_et_…`): the
 * latest or ongoing sync run of the end customer's connection (or of any of theirs) — status,
 * progress, records and time — themed like the Connect UI. It follows a run every 2 seconds while
 * it is queued or running, and looks for a new run every 15 seconds otherwise; an expired token
 * stops it with a message.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ThemeSpec } from './api.ts';
import { embedCall, failureOf, type EmbedFailure } from './embed-api.ts';
import { fill, wordsFor, type Words } from './i18n.ts';
import { Header, Message } from './screens.tsx';
import { applyTheme } from './theme.ts';
import { useFitFrame } from './use-fit-frame.ts';

type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

interface EmbeddedRun {
  id: string;
  model: string;
  status: RunStatus;
  percent: number | null;
  fetched: number;
  added: number;
  updated: number;
  deleted: number;
  lastError: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

interface Progress {
  theme: ThemeSpec | null;
  connection: { id: string; integrationName: string } | null;
  run: EmbeddedRun | null;
}

const ACTIVE_MS = 2_000;
const IDLE_MS = 15_000;
const STATUS_WORD: Record<RunStatus, keyof Words> = { queued: 'runQueued', running: 'runRunning', succeeded: 'runSucceeded', failed: 'runFailed', cancelled: 'runCancelled' };
const BADGE: Record<RunStatus, string> = { queued: 'syncing', running: 'syncing', succeeded: 'connected', failed: 'error', cancelled: 'disconnected' };
const isActive = (run: EmbeddedRun | null | undefined) => run?.status === 'queued' || run?.status === 'running';

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function EmbedSyncApp({ token, connectionId, model }: { token: string | undefined; connectionId?: string | undefined; model?: string | undefined }) {
  const [progress, setProgress] = useState<Progress>();
  const [failed, setFailed] = useState<EmbedFailure>();
  const [now, setNow] = useState(() => Date.now());
  const { words } = useMemo(() => wordsFor(null), []);
  const shell = useRef<HTMLDivElement>(null);
  useFitFrame(shell);

  useEffect(() => {
    if (!token) return setFailed('expired');
    const query = new URLSearchParams();
    if (connectionId) query.set('connectionId', connectionId);
    if (model) query.set('model', model);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const next = await embedCall<Progress>(token, 'GET', `/api/v1/embed/sync-runs/latest?${query}`);
        if (stopped) return;
        setProgress(next);
        setNow(Date.now());
        timer = setTimeout(() => void poll(), isActive(next.run) ? ACTIVE_MS : IDLE_MS);
      } catch (err) {
        if (stopped) return;
        const why = failureOf(err);
        setFailed(why);
        // An unreachable hub may come back; an expired token or a foreign connection will not.
        if (why === 'unreachable') timer = setTimeout(() => void poll(), IDLE_MS);
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [token, connectionId, model]);
  useEffect(() => applyTheme(progress?.theme ?? null), [progress?.theme]);

  const run = progress?.run;
  const failure = failed === 'expired' ? words.embedExpired : failed === 'missing' ? words.connectionMissing : failed ? words.unreachable : undefined;
  return (
    <div className="pc-shell pc-embed" ref={shell}>
      <Header theme={progress?.theme ?? null} title={words.syncTitle} />
      <main className="pc-main">
        {failure ? <Message tone="danger" title={failure} body={failed === 'expired' ? words.embedExpiredBody : ''} /> : null}
        {!failure && !progress ? (
          <p className="pc-muted" role="status">
            {words.loading}
          </p>
        ) : null}
        {progress && !failure && !run ? <p className="pc-muted">{words.noSync}</p> : null}
        {progress && !failure && run ? <RunCard run={run} integrationName={progress.connection?.integrationName ?? ''} words={words} now={now} /> : null}
      </main>
    </div>
  );
}

function RunCard({ run, integrationName, words, now }: { run: EmbeddedRun; integrationName: string; words: Words; now: number }) {
  const number = useMemo(() => new Intl.NumberFormat(), []);
  const title = fill(words.syncOf, { model: run.model, name: integrationName });
  const started = run.startedAt ? Date.parse(run.startedAt) : undefined;
  const elapsed = started === undefined ? undefined : (run.finishedAt ? Date.parse(run.finishedAt) : now) - started;
  return (
    <section className="pc-card pc-sync" aria-label={title}>
      <div className="pc-connection-head">
        <h2 className="pc-list-name">{title}</h2>
        {/* Only the status is announced: the figures change every few seconds. */}
        <span className={`pc-badge pc-badge-${BADGE[run.status]}`} role="status">
          {words[STATUS_WORD[run.status]]}
        </span>
      </div>
      <div className="pc-progress-row">
        {run.percent === null ? (
          <progress className="pc-progress" aria-label={fill(words.syncProgress, { model: run.model })} />
        ) : (
          <progress className="pc-progress" aria-label={fill(words.syncProgress, { model: run.model })} max={100} value={run.percent} />
        )}
        <span className="pc-progress-percent">{run.percent === null ? (isActive(run) ? words.percentUnknown : '—') : `${run.percent} %`}</span>
      </div>
      <dl className="pc-figures">
        <div>
          <dt>{words.records}</dt>
          <dd>{number.format(run.fetched)}</dd>
        </div>
        <div>
          <dt>{words.added}</dt>
          <dd>{number.format(run.added)}</dd>
        </div>
        <div>
          <dt>{words.updated}</dt>
          <dd>{number.format(run.updated)}</dd>
        </div>
        <div>
          <dt>{words.deleted}</dt>
          <dd>{number.format(run.deleted)}</dd>
        </div>
      </dl>
      <p className="pc-help">
        {run.startedAt ? (
          <>
            {words.started}: <time dateTime={run.startedAt}>{new Date(run.startedAt).toLocaleString()}</time>
            {elapsed !== undefined ? ` · ${isActive(run) ? words.runningFor : words.took} ${duration(elapsed)}` : null}
          </>
        ) : (
          words.runQueued
        )}
      </p>
      {run.status === 'failed' && run.lastError ? <p className="pc-field-error">{fill(words.syncStopped, { message: run.lastError })}</p> : null}
    </section>
  );
}
