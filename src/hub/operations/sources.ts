/**
 * `patchbay sources list|show|create|rotate-secret|delete`: inbound webhook URLs. Bodies are the
 * API's, checked with the route's own schemas and checks (verification required, unverified only
 * with `allowUnverified` in production, references in the environment); the answer is the route's
 * view. Inside a running hub (its socket) a change reaches its ingest cache at once; a hub
 * elsewhere sees it within its cache period (5 s).
 */
import { findEnvironment, recordAudit, type Actor } from '../../auth/index.ts';
import { loadRegistry } from '../../connectors/index.ts';
import { createSource, deleteSource, getSource, isUnverified, listSources, sources, updateSource, type SourceInput } from '../../webhooks/inbound/index.ts';
import { checkCreate, checkUpdate, CreateBody, sourceView, UpdateBody } from '../../api/routes/sources.ts';
import { decodeCursor, page } from '../../api/pagination.ts';
import { inboundRuntimeFor } from '../modules/inbound.ts';
import { bodyOf, limitOf, scopeOf, scopeOfRow, type EnvironmentScope } from './args.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

const CLI: Actor = { type: 'cli', id: null };
type CreateInput = Parameters<typeof checkCreate>[2];
type UpdateInput = Parameters<typeof checkUpdate>[2];

const view = (context: OperationContext, source: Parameters<typeof sourceView>[1]) => sourceView(context.config.publicUrl, source);
const forget = (context: OperationContext, id: string) => inboundRuntimeFor(context.database)?.ingestor.invalidate(id);
/** The environment's name: production environments refuse unverified sources unless acknowledged. */
const environmentName = async (context: OperationContext, scope: EnvironmentScope) => (await findEnvironment(context.database.db, scope.organizationId, scope.environmentId))?.name;

const list: Operation = async (context, args) => {
  await loadRegistry();
  const scope = await scopeOf(context, args);
  const limit = limitOf(args, 250, 50);
  const rows = await listSources(context.database.db, scope, { limit: limit + 1, before: decodeCursor(text(args, 'cursor')) });
  const result = page(rows, limit, (s) => s.id);
  return { data: result.data.map((s) => view(context, s)), nextCursor: result.nextCursor };
};

const show: Operation = async (context, args) => {
  await loadRegistry();
  const scope = await scopeOfRow(context, args, sources, 'source');
  const source = await getSource(context.database.db, scope, required(args, 'id'));
  if (!source) throw new OperationError(`no source ${String(args.id)}`, 404);
  return view(context, source);
};

const create: Operation = async (context, args) => {
  const body = bodyOf<CreateInput>(args, CreateBody);
  await loadRegistry();
  const scope = await scopeOf(context, args);
  await checkCreate(context.database.db, scope, body, await environmentName(context, scope));
  const { connector: key, allowUnverified: _acknowledged, ...fields } = body;
  const created = await context.database.db.transaction(async (tx) => {
    const row = await createSource(tx, context.vault, context.clock, scope, { ...(fields as SourceInput), connectorKey: key ?? null, secret: fields.secret });
    await recordAudit(tx, { ...scope, actor: CLI, action: 'source.created', targetType: 'source', targetId: row.id, details: { name: row.name, connector: row.connectorKey, unverified: isUnverified(row) } });
    return row;
  });
  forget(context, created.id);
  return view(context, created);
};

/** A change (`rotate-secret` sends `{ secret, keepPreviousSecretsForSeconds }`), as PATCH /sources/{id}. */
const update: Operation = async (context, args) => {
  const body = bodyOf<UpdateInput>(args, UpdateBody);
  await loadRegistry();
  const scope = await scopeOfRow(context, args, sources, 'source');
  const id = required(args, 'id');
  const { db } = context.database;
  const existing = await getSource(db, scope, id);
  if (!existing) throw new OperationError(`no source ${id}`, 404);
  await checkUpdate(db, scope, body, existing, await environmentName(context, scope));
  const { allowUnverified: _acknowledged, ...change } = body;
  const updated = await db.transaction(async (tx) => {
    const row = await updateSource(tx, context.vault, context.clock, scope, id, change as Partial<SourceInput>);
    await recordAudit(tx, { ...scope, actor: CLI, action: body.secret ? 'source.secret_rotated' : 'source.updated', targetType: 'source', targetId: id, details: { fields: Object.keys(body).filter((k) => k !== 'secret') } });
    return row!;
  });
  forget(context, id);
  return view(context, updated);
};

const remove: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, sources, 'source');
  const id = required(args, 'id');
  const deleted = await context.database.db.transaction(async (tx) => {
    const gone = await deleteSource(tx, context.vault, scope, id);
    if (gone) await recordAudit(tx, { ...scope, actor: CLI, action: 'source.deleted', targetType: 'source', targetId: id });
    return gone;
  });
  if (!deleted) throw new OperationError(`no source ${id}`, 404);
  forget(context, id);
  return { id, deleted: true };
};

export const sourceOperations = {
  'sources.list': list,
  'sources.show': show,
  'sources.create': create,
  'sources.update': update,
  'sources.delete': remove,
};
