/**
 * `patchbay syncs list|configure|trigger|runs|run|cancel|rollback`: a connection's syncs and their
 * runs. `trigger` follows the run until it ends — a live spinner with records fetched and written
 * on a terminal, one plain line per change otherwise, one JSON line per change with --json — and
 * exits 1 when the run fails or is cancelled.
 */
import { Option, type Command } from 'commander';
import { cliConfig, run } from '../runner.ts';
import { EXIT, print, table } from '../output.ts';
import { act, defined, fields, whole } from '../kit.ts';
// The lock file alone: reading it must not load a database driver.
import { readLockHolder } from '../../db/lock.ts';
import { scopeArgs, scoped } from './scope.ts';

export interface Run {
  id: string;
  syncId: string;
  model: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  phase: string;
  pages: number;
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
  errors: { code: string; message: string }[];
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}
type Sync = Record<string, unknown> & { id: string; model: string };

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);
const RUN_FIELDS = ['id', 'syncId', 'connectionId', 'model', 'status', 'trigger', 'full', 'phase', 'pages', 'providerCalls', 'added', 'updated', 'deleted', 'unchanged', 'conflicts', 'errors', 'attempts', 'revertsRunId', 'rolledBackBy', 'startedAt', 'finishedAt', 'createdAt'];

/** Records read from the provider, and records that changed here. */
const fetched = (r: Run) => r.added + r.updated + r.unchanged + r.deleted;
const written = (r: Run) => r.added + r.updated + r.deleted;

export function progressLine(r: Run): string {
  const counts = `${fetched(r)} fetched, ${written(r)} written (+${r.added} ~${r.updated} -${r.deleted}), ${r.pages} page(s)`;
  if (!ENDED.has(r.status)) return `${r.model} ${r.id}: ${r.status}${r.status === 'running' ? ` (${r.phase})` : ''} — ${counts}`;
  const seconds = r.startedAt && r.finishedAt ? ` in ${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : '';
  const error = r.errors.length ? `: ${r.errors[r.errors.length - 1]!.code} ${r.errors[r.errors.length - 1]!.message}` : '';
  return `${r.model} ${r.id}: ${r.status}${seconds} — ${counts}${r.status === 'succeeded' ? '' : error}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a worker can run what is queued: not when the CLI holds an embedded database no hub runs on. */
function workerless(): boolean {
  const config = cliConfig();
  return !config.remoteUrl && !config.databaseUrl && !readLockHolder(config.dataDir);
}

/**
 * Polls the run until it ends and shows its progress. On a terminal, a spinner (ora) on stderr;
 * otherwise a line per change on stdout. Ctrl-C stops watching; the run goes on.
 */
async function follow(first: Run, json: boolean, intervalMs: number): Promise<Run> {
  // A terminal that reports no width (some pseudo-terminals) gets plain lines: a spinner there redraws without end.
  const columns = process.stderr.isTTY === true ? (process.stderr.columns ?? 0) : 0;
  const tty = !json && columns >= 40;
  // One line, never wrapped: the spinner redraws it in place.
  const fit = (r: Run) => {
    const text = progressLine(r);
    return text.length > columns - 3 ? `${text.slice(0, columns - 4)}…` : text;
  };
  const spinner = tty ? (await import('ora')).default({ text: fit(first), stream: process.stderr, discardStdin: false }).start() : undefined;
  const line = (r: Run, event: string) => process.stdout.write(json ? `${JSON.stringify({ event, run: r })}\n` : `${progressLine(r)}\n`);
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  let current = first;
  let shown = JSON.stringify(first);
  if (!tty) line(first, 'triggered');
  try {
    while (!ENDED.has(current.status) && !stopped) {
      await sleep(intervalMs);
      current = (await run('syncs.run', { id: current.id })) as Run;
      const now = JSON.stringify(current);
      if (now === shown) continue;
      shown = now;
      if (spinner) spinner.text = fit(current);
      else if (!ENDED.has(current.status)) line(current, 'progress');
    }
  } finally {
    process.off('SIGINT', stop);
  }
  if (stopped && !ENDED.has(current.status)) {
    spinner?.stop();
    process.stderr.write(`patchbay: stopped watching; the run goes on (patchbay syncs run ${current.id})\n`);
    return current;
  }
  if (spinner) {
    if (current.status === 'succeeded') spinner.succeed(fit(current));
    else spinner.fail(fit(current));
    // The spinner wrote to stderr: the answer itself goes to stdout, for pipes and scripts.
    if (!process.stdout.isTTY) process.stdout.write(`${progressLine(current)}\n`);
  } else line(current, 'finished');
  return current;
}

const settable = (command: Command): Command =>
  command
    .option('--frequency <when>', '`every 30m`, `hourly`, `daily`, `real-time` or a cron expression (UTC)')
    .option('--no-frequency', 'no schedule: runs only when triggered')
    .addOption(new Option('--strategy <strategy>', 'how records are read').choices(['snapshot', 'events', 'hybrid']))
    .option('--backfill', 'read history on the first run')
    .option('--no-backfill', 'start from now')
    .option('--historical-days <n>', 'how far back the backfill reads', whole('--historical-days'))
    .option('--enable', 'enable it')
    .option('--disable', 'disable it: no scheduled runs');

export function syncCommands(program: Command): void {
  const syncs = program.command('syncs').description('syncs: movements of records (and metrics) between a connection and Patchbay, and their runs');

  scoped(syncs.command('list <connectionId>'))
    .description('a connection’s syncs, and the models its connector can sync')
    .option('--json', 'machine-readable output')
    .action((connection: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('syncs.list', { ...scopeArgs(opts), connection });
        print(result, !!opts.json, (r: { data: Sync[]; models: Record<string, unknown>[] }) =>
          [table(r.data, ['id', 'model', 'kind', 'frequency', 'dataStrategy', 'enabled', 'lastStatus', 'lastRunAt', 'nextRunAt']), '', 'models:', table(r.models, ['model', 'frequency', 'dataStrategy', 'writable', 'description'])].join('\n'),
        );
      }),
    );

  settable(scoped(syncs.command('configure <connectionId> <model>')))
    .description('create or change the sync of one model (`$metrics`: the connector’s metrics); what is left out keeps its value or the connector’s default')
    .option('--json', 'machine-readable output')
    .action((connection: string, model: string, opts: Record<string, unknown>) =>
      act(async () => {
        const body = defined({
          frequency: opts.frequency === false ? null : opts.frequency,
          dataStrategy: opts.strategy,
          shouldBackfill: opts.backfill,
          historicalDays: opts.historicalDays,
          enabled: opts.enable ? true : opts.disable ? false : undefined,
        });
        const result = await run('syncs.configure', { ...scopeArgs(opts), connection, model, body });
        print(result, !!opts.json, (s: Sync) => `sync ${s.id}: ${s.model} ${String(s.frequency ?? 'on demand')}, ${String(s.dataStrategy)}${s.enabled ? '' : ' (disabled)'}`);
      }),
    );

  scoped(syncs.command('trigger <syncId>'))
    .description('run a sync now and follow the run until it ends (exit code 1 when it fails); while a run is active, follows that one')
    .option('--full', 'read everything, not only what changed')
    .option('--no-wait', 'return once the run is queued')
    .option('--interval <ms>', 'how often to look at the run', whole('--interval'), 500)
    .option('--json', 'one JSON line per change of the run: {"event", "run"}')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const json = !!opts.json;
        const { run: queued, created } = (await run('syncs.trigger', { ...scopeArgs(opts), id, body: defined({ full: opts.full ? true : undefined }) })) as { run: Run; created: boolean };
        if (!created && !json) process.stderr.write(`patchbay: a run of this sync is active already: following ${queued.id}\n`);
        if (opts.wait === false) {
          print({ run: queued, created }, json, () => progressLine(queued));
          return EXIT.ok;
        }
        if (workerless()) {
          print({ run: queued, created }, json, () => `${progressLine(queued)}\nno hub runs on this data directory: the run starts when one does (npm start, or patchbay serve)`);
          return EXIT.ok;
        }
        const ended = await follow(queued, json, Math.max(100, Number(opts.interval)));
        return ended.status === 'succeeded' ? EXIT.ok : EXIT.failure;
      }),
    );

  scoped(syncs.command('runs <syncId>'))
    .description('the run log of a sync, newest first')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('syncs.runs', { ...scopeArgs(opts), id, limit: opts.limit, cursor: opts.cursor });
        print(result, !!opts.json, (r: { data: Run[]; nextCursor: string | null }) =>
          [table(r.data as never, ['id', 'status', 'trigger', 'full', 'added', 'updated', 'deleted', 'unchanged', 'startedAt', 'finishedAt']), ...(r.nextCursor ? [`more: --cursor ${r.nextCursor}`] : [])].join('\n'),
        );
      }),
    );

  scoped(syncs.command('run <runId>'))
    .description('one run, with its progress while it runs')
    .option('--follow', 'follow it until it ends, as `trigger` does (exit code 1 when it fails or is cancelled)')
    .option('--interval <ms>', 'with --follow: how often to look at the run', whole('--interval'), 500)
    .option('--json', 'machine-readable output (with --follow: one JSON line per change)')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const found = (await run('syncs.run', { ...scopeArgs(opts), id })) as Run;
        if (!opts.follow) return print(found, !!opts.json, (r: Run) => fields(r as never, RUN_FIELDS));
        const ended = await follow(found, !!opts.json, Math.max(100, Number(opts.interval)));
        return ended.status === 'succeeded' ? EXIT.ok : EXIT.failure;
      }),
    );

  scoped(syncs.command('cancel <runId>'))
    .description('stop a queued or running run; what it committed stays')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) => act(async () => print(await run('syncs.cancel', { ...scopeArgs(opts), id }), !!opts.json, (r: Run) => `cancel requested for ${r.id} (${r.status})`)));

  scoped(syncs.command('rollback <runId>'))
    .description('put every record the run touched back to its version before the run (the rollback is a run of its own)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () =>
        print(await run('syncs.rollback', { ...scopeArgs(opts), id }), !!opts.json, (r: { reverted: Run; rollback: Run }) => `rolled back ${r.reverted.id} in ${r.rollback.id}: ${r.rollback.deleted} removed, ${r.rollback.updated} restored`),
      ),
    );
}
