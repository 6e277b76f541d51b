import { createApiKey, findEnvironment, getOrganizationBySlug, isRole, isScope, listApiKeys, recordAudit, revokeApiKey, type Organization } from '../../auth/index.ts';
import type { Db } from '../../db/index.ts';
import { OperationError, required, text, type Operation } from './index.ts';

export async function organizationBySlug(db: Db, slug: string): Promise<Organization> {
  const org = await getOrganizationBySlug(db, slug);
  if (!org) throw new OperationError(`no organization "${slug}" (see \`patchbay init\`)`, 404);
  return org;
}

const create: Operation = async ({ database }, args) => {
  const org = await organizationBySlug(database.db, required(args, 'org'));
  const envName = required(args, 'env');
  const env = await findEnvironment(database.db, org.id, envName);
  if (!env) throw new OperationError(`no environment "${envName}" in ${org.slug}`, 404);
  const role = text(args, 'role');
  const scopesText = text(args, 'scopes');
  if (role && scopesText) throw new OperationError('give --role or --scopes, not both');
  if (role && !isRole(role)) throw new OperationError(`--role must be owner, admin, developer or viewer (got "${role}")`);
  const scopes = scopesText?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = scopes?.filter((s) => !isScope(s)) ?? [];
  if (unknown.length) throw new OperationError(`unknown scope(s): ${unknown.join(', ')}`);
  return database.db.transaction(async (tx) => {
    const created = await createApiKey(tx, {
      organizationId: org.id,
      environmentId: env.id,
      name: text(args, 'name') ?? `cli key (${role ?? 'scoped'})`,
      role: role && isRole(role) ? role : scopes ? undefined : 'developer',
      scopes: scopes as never,
      createdBy: 'cli',
    });
    await recordAudit(tx, { organizationId: org.id, environmentId: env.id, actor: { type: 'cli', id: null }, action: 'api_key.created', targetType: 'api_key', targetId: created.record.id });
    return { key: created.key, ...created.record };
  });
};

const list: Operation = async ({ database }, args) => {
  const org = await organizationBySlug(database.db, required(args, 'org'));
  const envName = text(args, 'env');
  const env = envName ? await findEnvironment(database.db, org.id, envName) : undefined;
  if (envName && !env) throw new OperationError(`no environment "${envName}" in ${org.slug}`, 404);
  return listApiKeys(database.db, { organizationId: org.id, environmentId: env?.id }, { limit: 250, includeRevoked: args.includeRevoked === true });
};

const revoke: Operation = async ({ database, clock }, args) => {
  const org = await organizationBySlug(database.db, required(args, 'org'));
  const id = required(args, 'id');
  return database.db.transaction(async (tx) => {
    const key = await revokeApiKey(tx, clock, org.id, id);
    if (!key) throw new OperationError(`no API key ${id} in ${org.slug}`, 404);
    await recordAudit(tx, { organizationId: org.id, environmentId: key.environmentId, actor: { type: 'cli', id: null }, action: 'api_key.revoked', targetType: 'api_key', targetId: id });
    return key;
  });
};

export const keyOperations = { 'keys.create': create, 'keys.list': list, 'keys.revoke': revoke };
