import type { TraceContext } from '../core/tracing.ts';
import type { jobs, JobState } from './schema.ts';

export type Job<P = unknown> = Omit<typeof jobs.$inferSelect, 'payload'> & { payload: P };

/** What to enqueue. */
export interface JobSpec<P = unknown> {
  type: string;
  payload: P;
  /** Not before this instant; now by default. */
  runAt?: Date | undefined;
  /** Lower runs first; 0 by default. */
  priority?: number | undefined;
  /** At most one pending or running job per key. */
  key?: string | undefined;
  /**
   * When a pending job already has the key: `dedupe` (default) keeps it as it is, `replace`
   * updates its payload, runAt, priority and maxAttempts. A key held by a running job never
   * blocks: the running job lets go of the key and a new job is added.
   */
  keyMode?: 'dedupe' | 'replace' | undefined;
  /** Overrides the job type's limit. */
  maxAttempts?: number | undefined;
  organizationId?: string | undefined;
  environmentId?: string | undefined;
  /**
   * The trace the job's run continues: the active span's by default (tracing on); null for none,
   * when the job serves more than the work that enqueued it.
   */
  traceContext?: TraceContext | null | undefined;
}

/** A row as both drivers return it from raw SQL (snake_case, timestamps as Date or string). */
export interface JobRow {
  id: string;
  type: string;
  payload: unknown;
  organization_id: string | null;
  environment_id: string | null;
  priority: number;
  run_at: Date | string;
  attempts: number;
  max_attempts: number | null;
  key: string | null;
  state: JobState;
  locked_by: string | null;
  locked_until: Date | string | null;
  last_error: string | null;
  trace_context: TraceContext | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const date = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

export function rowToJob(row: JobRow): Job {
  return {
    id: row.id,
    type: row.type,
    payload: row.payload,
    organizationId: row.organization_id,
    environmentId: row.environment_id,
    priority: row.priority,
    runAt: date(row.run_at),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    key: row.key,
    state: row.state,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until === null ? null : date(row.locked_until),
    lastError: row.last_error,
    traceContext: row.trace_context ?? null,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

