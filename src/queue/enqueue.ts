import { sql, type SQL } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { newId, systemClock, type Clock } from '../core/index.ts';
import { rows, type Db } from '../db/index.ts';
import { currentTraceContext, type TraceContext } from '../core/tracing.ts';
import { rowToJob, type Job, type JobRow, type JobSpec } from './job.ts';
import { notifiedCte, notifyPayload, wakeLocal } from './wake.ts';

export interface EnqueueOptions {
  /** The time source for a default `runAt`; the system clock unless a test gives one. */
  clock?: Clock | undefined;
}

/**
 * Adds a job in the caller's transaction (the outbox): it exists, and workers hear of it, only
 * if that transaction commits. Returns the job — for a key that dedupes, the pending job kept.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await tx.insert(messages).values(message);
 *   await enqueue(tx, { type: 'webhook.deliver', payload: { messageId: message.id }, organizationId, environmentId });
 * });
 */
export async function enqueue<P>(tx: Db, spec: JobSpec<P>, options: EnqueueOptions = {}): Promise<Job<P>> {
  const [job] = await enqueueMany(tx, [spec], options);
  return job as Job<P>;
}

interface Row {
  id: string;
  type: string;
  payload: unknown;
  organization_id: string | null;
  environment_id: string | null;
  priority: number;
  run_at: string;
  max_attempts: number | null;
  key: string | null;
  trace_context: TraceContext | null;
}

type Mode = 'plain' | 'dedupe' | 'replace';

/** Adds several jobs in one round trip per kind (plain, dedupe, replace); results in spec order. */
export async function enqueueMany(tx: Db, specs: readonly JobSpec[], options: EnqueueOptions = {}): Promise<Job[]> {
  if (specs.length === 0) return [];
  const now = (options.clock ?? systemClock).now();
  const prepared = specs.map((spec) => toRow(spec, now));
  const results: Job[] = new Array(specs.length);
  // Outside a transaction the insert commits at once, so local workers can be woken directly.
  const committed = !(tx instanceof PgTransaction);

  // Each statement may name a key once; a key repeated in one call goes to a later round.
  const rounds: Map<Mode, number[]>[] = [];
  const seen = new Map<string, number>();
  prepared.forEach((row, index) => {
    const mode: Mode = row.key === null ? 'plain' : (specs[index]!.keyMode ?? 'dedupe');
    const round = row.key === null ? 0 : (seen.get(row.key) ?? -1) + 1;
    if (row.key !== null) seen.set(row.key, round);
    rounds[round] ??= new Map();
    const group = rounds[round].get(mode) ?? [];
    group.push(index);
    rounds[round].set(mode, group);
  });

  for (const round of rounds) {
    for (const [mode, indexes] of round) {
      const saved = await save(tx, mode, indexes.map((i) => prepared[i]!), now, committed);
      indexes.forEach((i, position) => (results[i] = saved[position]!));
    }
  }
  if (committed) wakeLocal(earliest(prepared));
  return results;
}

/** Saves one group and returns its jobs in the group's order. */
async function save(tx: Db, mode: Mode, group: Row[], now: Date, committed: boolean): Promise<Job[]> {
  if (mode === 'plain') {
    const saved = await insert(tx, mode, group, now, committed);
    const byId = new Map(saved.map((job) => [job.id, job]));
    return group.map((row) => byId.get(row.id)!);
  }
  const byKey = new Map<string, Job>();
  let missing = group;
  // A key held by a running job never blocks a new job: the running one lets go of its key.
  // Two passes suffice unless another transaction keeps claiming the same key in between.
  for (let pass = 0; pass < 3 && missing.length > 0; pass++) {
    if (pass > 0) await releaseRunningKeys(tx, missing.map((r) => r.key!), now);
    for (const job of await insert(tx, mode, missing, now, committed)) byKey.set(job.key!, job);
    missing = missing.filter((row) => !byKey.has(row.key!));
  }
  if (missing.length > 0) throw new Error(`could not enqueue jobs with keys ${missing.map((r) => r.key).join(', ')}: the keys stayed busy`);
  return group.map((row) => byKey.get(row.key!)!);
}

/**
 * On a key conflict with a pending job, `replace` updates it and `dedupe` touches nothing but
 * still locks it: a worker's claim skips a locked row, so the job we return cannot have started
 * before this transaction commits. A conflicting running job is left alone (no row comes back).
 */
const ON_CONFLICT: Record<Mode, SQL> = {
  plain: sql``,
  dedupe: sql`on conflict (key) where key is not null and state <> 'failed' do update set updated_at = jobs.updated_at where jobs.state = 'pending'`,
  replace: sql`on conflict (key) where key is not null and state <> 'failed' do update set
    payload = excluded.payload, run_at = excluded.run_at, priority = excluded.priority,
    max_attempts = excluded.max_attempts, trace_context = excluded.trace_context, updated_at = excluded.updated_at
    where jobs.state = 'pending'`,
};

async function insert(tx: Db, mode: Mode, group: Row[], now: Date, committed: boolean): Promise<Job[]> {
  const saved = await rows<JobRow>(
    tx,
    sql`with saved as (
      insert into jobs (id, type, payload, organization_id, environment_id, priority, run_at, max_attempts, key, trace_context, created_at, updated_at)
      select r.id, r.type, r.payload, r.organization_id, r.environment_id, r.priority, r.run_at, r.max_attempts, r.key, r.trace_context, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(group)}::jsonb) as r(
        id text, type text, payload jsonb, organization_id text, environment_id text,
        priority int, run_at timestamptz, max_attempts int, key text, trace_context jsonb)
      ${ON_CONFLICT[mode]}
      returning jobs.*
    ), ${notifiedCte('saved', notifyPayload(earliest(group), committed))}
    select saved.* from saved left join notified on true`,
  );
  return saved.map(rowToJob);
}

async function releaseRunningKeys(tx: Db, keys: string[], now: Date): Promise<void> {
  await tx.execute(sql`update jobs set key = null, updated_at = ${now.toISOString()}::timestamptz
    where state = 'running' and key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`);
}

/** The first run time among rows (a loop: a spread of 100,000 arguments would overflow). */
function earliest(group: Row[]): number {
  let min = Infinity;
  for (const row of group) min = Math.min(min, Date.parse(row.run_at));
  return min;
}

function toRow(spec: JobSpec, now: Date): Row {
  if (typeof spec.type !== 'string' || spec.type.length === 0) throw new TypeError('a job needs a type');
  const priority = spec.priority ?? 0;
  if (!Number.isInteger(priority) || Math.abs(priority) > 32_767) throw new TypeError(`job priority must be a whole number in ±32767, got ${priority}`);
  if (spec.maxAttempts !== undefined && (!Number.isInteger(spec.maxAttempts) || spec.maxAttempts < 1)) {
    throw new TypeError(`job maxAttempts must be a whole number ≥ 1, got ${spec.maxAttempts}`);
  }
  const runAt = spec.runAt ?? now;
  if (Number.isNaN(runAt.getTime())) throw new TypeError('job runAt is not a valid date');
  return {
    id: newId('job'),
    type: spec.type,
    payload: spec.payload ?? {},
    organization_id: spec.organizationId ?? null,
    environment_id: spec.environmentId ?? null,
    priority,
    run_at: runAt.toISOString(),
    max_attempts: spec.maxAttempts ?? null,
    key: spec.key ?? null,
    // The active trace (an API request, a job) travels with the job when tracing is on.
    trace_context: spec.traceContext !== undefined ? spec.traceContext : currentTraceContext(),
  };
}
