/**
 * What the API and the CLI do with jobs. Every function takes the caller's scope: given an
 * organization (and environment), it sees only that tenant's jobs.
 */
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { problems, systemClock, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Job } from './job.ts';
import { jobs, type JobState } from './schema.ts';
import { JOBS_CHANNEL, notifyPayload, wakeLocal } from './wake.ts';

export interface JobScope {
  organizationId?: string | undefined;
  environmentId?: string | undefined;
}

export interface ListJobsInput extends JobScope {
  state?: JobState | undefined;
  type?: string | undefined;
  /** 1–200. */
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | undefined;
}

export interface JobPage {
  data: Job[];
  nextCursor: string | null;
}

function inScope(scope: JobScope | undefined): SQL[] {
  const conditions: SQL[] = [];
  if (scope?.organizationId !== undefined) conditions.push(eq(jobs.organizationId, scope.organizationId));
  if (scope?.environmentId !== undefined) conditions.push(eq(jobs.environmentId, scope.environmentId));
  return conditions;
}

/** Jobs newest first, a page at a time. */
export async function listJobs(db: Db, input: ListJobsInput): Promise<JobPage> {
  const limit = Math.min(Math.max(Math.trunc(input.limit) || 1, 1), 200);
  const conditions = inScope(input);
  if (input.state) conditions.push(eq(jobs.state, input.state));
  if (input.type) conditions.push(eq(jobs.type, input.type));
  if (input.cursor) conditions.push(lt(jobs.id, input.cursor));
  const found = await db
    .select()
    .from(jobs)
    .where(and(...conditions))
    .orderBy(desc(jobs.id))
    .limit(limit + 1);
  const data = found.slice(0, limit);
  return { data, nextCursor: found.length > limit ? data[data.length - 1]!.id : null };
}

export async function getJob(db: Db, id: string, scope?: JobScope): Promise<Job | undefined> {
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), ...inScope(scope)));
  return job;
}

/**
 * Puts a failed job back in line: pending, due now, attempts from zero (its last error stays
 * until the next outcome). If another live job holds its key meanwhile, it comes back without
 * the key. Throws a not-found problem outside the scope and a conflict unless the job failed.
 */
export async function retryJob(db: Db, id: string, scope?: JobScope, options: { clock?: Clock } = {}): Promise<Job> {
  const now = (options.clock ?? systemClock).now();
  const [job] = await db
    .update(jobs)
    .set({
      state: 'pending',
      attempts: 0,
      runAt: now,
      updatedAt: now,
      key: sql`case when exists (select 1 from jobs as live where live.key = jobs.key and live.state <> 'failed') then null else jobs.key end`,
    })
    .where(and(eq(jobs.id, id), eq(jobs.state, 'failed'), ...inScope(scope)))
    .returning();
  if (!job) {
    const existing = await getJob(db, id, scope);
    if (!existing) throw problems.notFound('Job', id);
    throw problems.conflict(`Job ${id} is ${existing.state}; only a failed job can be retried.`);
  }
  const committed = !(db instanceof PgTransaction);
  await db.execute(sql`select pg_notify(${JOBS_CHANNEL}, ${notifyPayload(now.getTime(), committed)})`);
  if (committed) wakeLocal(now.getTime());
  return job;
}
