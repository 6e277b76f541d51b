/** Reading an operation's arguments: the environment (`--org`, `--env`), limits, times, API bodies. */
import { eq } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { findEnvironment } from '../../auth/index.ts';
import { bodyErrors } from '../../api/validation.ts';
import { organizationBySlug } from './keys.ts';
import { OperationError, required, text, type OperationContext } from './index.ts';

export interface EnvironmentScope {
  organizationId: string;
  environmentId: string;
}

export async function scopeOf({ database }: Pick<OperationContext, 'database'>, args: Record<string, unknown>): Promise<EnvironmentScope> {
  const org = await organizationBySlug(database.db, required(args, 'org'));
  const env = await findEnvironment(database.db, org.id, required(args, 'env'));
  if (!env) throw new OperationError(`no environment "${String(args.env)}" in ${org.slug}`, 404);
  return { organizationId: org.id, environmentId: env.id };
}

export function limitOf(args: Record<string, unknown>, max: number, fallback: number): number {
  const limit = Number(args.limit ?? fallback);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new OperationError(`--limit must be a whole number from 1 to ${max}`);
  return limit;
}

export function instant(args: Record<string, unknown>, name: string): Date | undefined {
  const value = text(args, name);
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new OperationError(`--${name} must be a date and time, e.g. 2026-11-22T08:00:00Z`);
  return parsed;
}

/** The body an operation was given (`args.body`), checked the way the API route checks it. */
export function bodyOf<T>(args: Record<string, unknown>, schema: object): T {
  const body = args.body ?? {};
  const errors = bodyErrors(schema, body);
  if (errors.length > 0) throw new OperationError(['the request is not valid:', ...errors.map((e) => `  ${e.field}: ${e.message}`)].join('\n'));
  return body as T;
}

interface Scoped {
  id: AnyPgColumn;
  organizationId: AnyPgColumn;
  environmentId: AnyPgColumn;
}

/**
 * `--org/--env` when given; otherwise the environment of the row `args[name]` names (a source,
 * a sync, a run…). Ids a caller may choose (connections) can repeat across environments: then
 * `--org/--env` must say which.
 */
export async function scopeOfRow(context: Pick<OperationContext, 'database'>, args: Record<string, unknown>, table: PgTable & Scoped, what: string, name = 'id'): Promise<EnvironmentScope> {
  if (args.org || args.env) return scopeOf(context, args);
  const id = required(args, name);
  const rows = await context.database.db
    .select({ organizationId: table.organizationId, environmentId: table.environmentId })
    .from(table as PgTable)
    .where(eq(table.id, id))
    .limit(2);
  if (rows.length === 0) throw new OperationError(`no ${what} ${id}`, 404);
  if (rows.length > 1) throw new OperationError(`${what} ${id} exists in several environments: give --org and --env`);
  return rows[0] as EnvironmentScope;
}
