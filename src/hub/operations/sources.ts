/**
 * `patchbay sources list|show|create|rotate-secret|delete`: inbound webhook URLs. Bodies are the
 * API's, checked with the route's own schema and checks; the answer is the route's view. Inside a
 * running hub (its socket) a change reaches its ingest cache at once; a hub elsewhere sees it
 * within its cache period (5 s).
 */
import { recordAudit, type Actor } from '../../auth/index.ts';
import { getConnector, listConnectors, loadRegistry } from '../../connectors/index.ts';
import { createSource, deleteSource, getSource, listSources, sources, updateSource, type Source, type SourceInput } from '../../webhooks/inbound/index.ts';
import { checks, CreateBody, UpdateBody } from '../../api/routes/sources.ts';
import { iso } from '../../api/schemas.ts';
import { decodeCursor, page } from '../../api/pagination.ts';
import { problems } from '../../core/index.ts';
import { inboundRuntimeFor } from '../modules/inbound.ts';
import { bodyOf, limitOf, scopeOf, scopeOfRow } from './args.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

const CLI: Actor = { type: 'cli', id: null };
type CreateInput = SourceInput & { connector?: string; secret?: string };
type UpdateInput = Partial<SourceInput> & { secret?: string; keepPreviousSecretsForSeconds?: number };

/** The API's view of a source (src/api/routes/sources.ts). */
const view = (context: OperationContext, s: Source) => ({
  id: s.id,
  name: s.name,
  url: `${context.config.publicUrl}/webhooks/in/${s.id}`,
  connector: s.connectorKey,
  integrationId: s.integrationId,
  verification: s.verification,
  settings: s.settings,
  allowedIps: s.allowedIps,
  toleranceSeconds: s.toleranceSeconds,
  allowedMethods: s.allowedMethods,
  maxBodyBytes: s.maxBodyBytes,
  response: s.response,
  dedupeWindowSeconds: s.dedupeWindowSeconds,
  eventIdHeader: s.eventIdHeader,
  eventIdPointer: s.eventIdPointer,
  action: s.action,
  filters: s.filters,
  secretCount: s.secretCount,
  disabled: s.disabledAt !== null,
  disabledAt: iso(s.disabledAt),
  createdAt: iso(s.createdAt)!,
  updatedAt: iso(s.updatedAt)!,
});

/** What POST /sources refuses beyond its schema: a connector without webhooks, `checks`, a missing secret. */
function checkCreate(body: CreateInput): void {
  const key = body.connector;
  if (key !== undefined && !getConnector(key)?.webhooks) {
    const known = listConnectors({ capability: 'webhooks' }).filter((c) => c.webhooks).map((c) => c.key);
    throw problems.unprocessable(`"${key}" is not a connector that receives webhooks; use one of ${known.join(', ')}, or none for a generic source.`);
  }
  const errors = checks(body as Parameters<typeof checks>[0], key ?? null);
  if (errors.length > 0) throw problems.validation(errors);
  const needsSecret = key !== undefined || (body.verification !== undefined && body.verification.type !== 'none');
  if (needsSecret && !body.secret) throw problems.validation([{ field: '/secret', message: 'is required to verify this source' }]);
}
const forget = (context: OperationContext, id: string) => inboundRuntimeFor(context.database)?.ingestor.invalidate(id);

const list: Operation = async (context, args) => {
  const scope = await scopeOf(context, args);
  const limit = limitOf(args, 250, 50);
  const rows = await listSources(context.database.db, scope, { limit: limit + 1, before: decodeCursor(text(args, 'cursor')) });
  const result = page(rows, limit, (s) => s.id);
  return { data: result.data.map((s) => view(context, s)), nextCursor: result.nextCursor };
};

const show: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, sources, 'source');
  const source = await getSource(context.database.db, scope, required(args, 'id'));
  if (!source) throw new OperationError(`no source ${String(args.id)}`, 404);
  return view(context, source);
};

const create: Operation = async (context, args) => {
  const body = bodyOf<CreateInput>(args, CreateBody);
  await loadRegistry();
  checkCreate(body);
  const scope = await scopeOf(context, args);
  const { connector: key, ...input } = body;
  const created = await context.database.db.transaction(async (tx) => {
    const row = await createSource(tx, context.vault, context.clock, scope, { ...(input as SourceInput), connectorKey: key ?? null, secret: input.secret });
    await recordAudit(tx, { ...scope, actor: CLI, action: 'source.created', targetType: 'source', targetId: row.id, details: { name: row.name, connector: row.connectorKey } });
    return row;
  });
  forget(context, created.id);
  return view(context, created);
};

/** A change (`rotate-secret` sends `{ secret, keepPreviousSecretsForSeconds }`), as PATCH /sources/{id}. */
const update: Operation = async (context, args) => {
  const body = bodyOf<UpdateInput>(args, UpdateBody);
  const scope = await scopeOfRow(context, args, sources, 'source');
  const id = required(args, 'id');
  const { db } = context.database;
  const existing = await getSource(db, scope, id);
  if (!existing) throw new OperationError(`no source ${id}`, 404);
  const errors = checks(body as Parameters<typeof checks>[0], existing.connectorKey);
  if (errors.length > 0) throw problems.validation(errors);
  const updated = await db.transaction(async (tx) => {
    const row = await updateSource(tx, context.vault, context.clock, scope, id, body);
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
