/** Which organization and environment a CLI operation acts on (`--org`, `--env`). */
import { findEnvironment } from '../../auth/index.ts';
import { organizationBySlug } from './keys.ts';
import { OperationError, required, type OperationContext } from './index.ts';

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
