import { pgTable, text, jsonb, integer, timestamp, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { timestamps } from '../db/columns.ts';
import type { TraceContext } from '../core/tracing.ts';

export type JobState = 'pending' | 'running' | 'failed';

/**
 * The one job queue. A job is `pending` until a worker claims it, `running` while a worker holds
 * its lease (`locked_by` until `locked_until`), deleted when it completes, and `failed` (kept,
 * with `last_error`) when it has no attempt left.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    organizationId: text('organization_id'),
    environmentId: text('environment_id'),
    /** Lower runs first (graphile-worker's convention); 0 by default. */
    priority: integer('priority').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Claims so far, counted when a worker claims the job. */
    attempts: integer('attempts').notNull().default(0),
    /** Null: the job type's own limit applies. */
    maxAttempts: integer('max_attempts'),
    /** At most one pending or running job per key (dedupe / replace). */
    key: text('key'),
    state: text('state').$type<JobState>().notNull().default('pending'),
    lockedBy: text('locked_by'),
    /** The lease: past this instant, another worker may take the job. */
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    /** The W3C trace context of what enqueued the job (tracing on); its run continues that trace. */
    traceContext: jsonb('trace_context').$type<TraceContext>(),
    ...timestamps(),
  },
  (t) => [
    // The claim: `where state = 'pending' and run_at <= now order by priority, run_at, id`.
    index('jobs_claim').on(t.priority, t.runAt, t.id).where(sql`state = 'pending'`),
    // The next future run_at, for the worker's timer.
    index('jobs_run_at').on(t.runAt).where(sql`state = 'pending'`),
    // Expired leases.
    index('jobs_lease').on(t.lockedUntil).where(sql`state = 'running'`),
    // The ON CONFLICT arbiter for job keys: enqueue's `on conflict (key) where …` must imply it.
    // Partial, like the next one, so the many jobs without a key (or tenant) cost no entry.
    uniqueIndex('jobs_key').on(t.key).where(sql`key is not null and state <> 'failed'`),
    // Tenant listings (`/api/v1/jobs`), newest first.
    index('jobs_scope').on(t.organizationId, t.environmentId, t.id).where(sql`organization_id is not null`),
  ],
);

/**
 * One row per recurring job: the last cron tick some process claimed. A tick runs only in the
 * process whose conditional upsert moved `last_tick_at` forward, so it runs once in the cluster.
 */
export const jobSchedules = pgTable('job_schedules', {
  name: text('name').primaryKey(),
  lastTickAt: timestamp('last_tick_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
