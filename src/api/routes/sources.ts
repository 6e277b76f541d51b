/**
 * Sources: inbound webhook URLs per environment, for a provider preset (a connector with a
 * `webhooks` extension) or a generic configuration. Secrets go in and are never shown again.
 */
import { Type, type Static } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems, type FieldError } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import { getConnector, listConnectors, loadRegistry } from '../../connectors/index.ts';
import { createSource, deleteSource, filterErrors, getSource, isUnverified, listSources, parseCidr, sourceVerification, updateSource, verificationErrors, type Source, type SourceInput } from '../../webhooks/inbound/index.ts';
import { getIntegration } from '../../integrations/index.ts';
import { actorOf, principalOf, tenantOf, type TenantScope } from '../context.ts';
import { checkReferences } from '../references.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';
import type { InboundRuntimeOf } from './inbound-runtime.ts';
import type { Db } from '../../db/index.ts';

const strict = { additionalProperties: false } as const;
const HeaderName = Type.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" });

const Verification = Type.Union([
  Type.Object(
    {
      type: Type.Literal('hmac'),
      header: HeaderName,
      algorithm: Type.Union([Type.Literal('sha1'), Type.Literal('sha256'), Type.Literal('sha512')]),
      encoding: Type.Union([Type.Literal('hex'), Type.Literal('base64')]),
      prefix: Type.Optional(Type.String({ maxLength: 50, description: 'Before the digest, e.g. `sha256=`' })),
      template: Type.Optional(Type.String({ maxLength: 500, description: 'Signed content: `{body}`, `{timestamp}`, `{method}`, `{url}`; `{body}` by default' })),
      timestampHeader: Type.Optional(HeaderName),
      timestampUnit: Type.Optional(Type.Union([Type.Literal('seconds'), Type.Literal('milliseconds'), Type.Literal('iso')])),
    },
    strict,
  ),
  Type.Object({ type: Type.Literal('basic'), username: Type.String({ minLength: 1, maxLength: 200 }) }, strict),
  Type.Object({ type: Type.Literal('header'), header: HeaderName, scheme: Type.Optional(Type.String({ maxLength: 50, description: 'e.g. `Bearer`' })) }, strict),
  Type.Object({ type: Type.Literal('none') }, strict),
]);

const Action = Type.Union([
  Type.Object(
    {
      type: Type.Literal('forward'),
      eventType: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Our event type; `{connector}` and `{type}` are filled in (default `{connector}.{type}`)' })),
      eventTypes: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.String({ minLength: 1, maxLength: 200 }), { description: 'Provider type → our type; `*` for the rest' })),
    },
    strict,
  ),
  Type.Object({ type: Type.Literal('sync'), model: Type.Optional(Type.String({ maxLength: 100 })) }, strict),
  Type.Object({ type: Type.Literal('handler') }, strict),
  Type.Object({ type: Type.Literal('none') }, strict),
]);

const Filter = Type.Object(
  {
    match: Type.Object({}, { additionalProperties: true, description: 'MongoDB-style query over { type, payload, headers, externalAccountId, connectionId }' }),
    then: Type.Union([Type.Literal('drop'), Action]),
  },
  strict,
);

const Response = Type.Object(
  {
    status: Type.Integer({ minimum: 200, maximum: 299 }),
    body: Type.Optional(Type.String({ maxLength: 10_000 })),
    contentType: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

const Method = Type.Union(['POST', 'GET', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)));

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  integrationId: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()])),
  verification: Type.Optional(Verification),
  settings: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' }), Type.String({ maxLength: 2000 }), { description: 'Preset settings, e.g. Okta `authorizationHeader`, Twilio `url`' })),
  allowedIps: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description: 'Addresses or CIDR ranges; empty allows every address' })),
  toleranceSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  allowedMethods: Type.Optional(Type.Array(Method, { minItems: 1, uniqueItems: true })),
  maxBodyBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 * 1024 * 1024 })),
  response: Type.Optional(Response),
  dedupeWindowSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 90 * 86_400 })),
  eventIdHeader: Type.Optional(Type.Union([HeaderName, Type.Null()])),
  eventIdPointer: Type.Optional(Type.Union([Type.String({ maxLength: 200, description: 'JSON pointer, e.g. `/id`' }), Type.Null()])),
  action: Type.Optional(Action),
  filters: Type.Optional(Type.Array(Filter, { maxItems: 50 })),
  disabled: Type.Optional(Type.Boolean()),
  allowUnverified: Type.Optional(Type.Boolean({ description: 'Acknowledges `verification: none` in a production environment (anyone who learns the URL can send events)' })),
};

export const CreateBody = Type.Object(
  {
    ...fields,
    connector: Type.Optional(Type.String({ maxLength: 64, description: 'A connector with webhooks (stripe, github, …); absent for a generic source' })),
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'The signing secret (or password, token); never shown again' })),
  },
  strict,
);
export const UpdateBody = Type.Object(
  {
    ...fields,
    name: Type.Optional(fields.name),
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'A new secret; the previous ones stay valid for keepPreviousSecretsForSeconds' })),
    keepPreviousSecretsForSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: '24 hours by default' })),
  },
  strict,
);

const SourceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String({ description: 'Give this URL to the provider' }),
  connector: Type.Union([Type.String(), Type.Null()]),
  integrationId: Type.Union([Type.String(), Type.Null()]),
  verification: Type.Unknown({ description: 'A generic source’s verification; for a preset `{ type: "preset", connector, headers }`, the headers its provider signs in' }),
  unverified: Type.Boolean({ description: 'True when the source accepts any request (a generic source with verification `none`)' }),
  settings: Type.Record(Type.String(), Type.String()),
  allowedIps: Type.Array(Type.String()),
  toleranceSeconds: Type.Integer(),
  allowedMethods: Type.Array(Type.String()),
  maxBodyBytes: Type.Integer(),
  response: Type.Unknown(),
  dedupeWindowSeconds: Type.Integer(),
  eventIdHeader: Type.Union([Type.String(), Type.Null()]),
  eventIdPointer: Type.Union([Type.String(), Type.Null()]),
  action: Type.Unknown(),
  filters: Type.Array(Type.Unknown()),
  secretCount: Type.Integer(),
  disabled: Type.Boolean(),
  disabledAt: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export function checks(body: Partial<Static<typeof CreateBody>>, connectorKey: string | null): FieldError[] {
  const errors: FieldError[] = [];
  (body.allowedIps ?? []).forEach((ip, i) => parseCidr(ip) || errors.push({ field: `/allowedIps/${i}`, message: 'is not an address or CIDR range' }));
  (body.filters ?? []).forEach((f, i) => errors.push(...filterErrors(f.match, `/filters/${i}/match`)));
  if (connectorKey && body.verification && body.verification.type !== 'none') errors.push({ field: '/verification', message: 'is for generic sources; a connector verifies the way its provider signs' });
  return errors;
}

const integrationRef = (db: Db, scope: TenantScope, id: string | null | undefined) => ({ field: '/integrationId', what: 'integration', id, find: (ref: string) => getIntegration(db, scope, ref) });

/**
 * What create refuses beyond its schema: a connector that sends no webhooks, bad addresses or
 * filters, a generic source without its verification (or unverified in production without
 * `allowUnverified`), an integration not in the environment, a missing secret. The CLI checks the same.
 */
export async function checkCreate(db: Db, scope: TenantScope, body: Static<typeof CreateBody>, environmentName: string | undefined): Promise<void> {
  const { connector: key, allowUnverified, ...fields } = body;
  if (key !== undefined) {
    const connector = getConnector(key);
    if (!connector?.webhooks) {
      const known = listConnectors({ capability: 'webhooks' }).filter((c) => c.webhooks).map((c) => c.key);
      throw problems.unprocessable(`"${key}" is not a connector that receives webhooks; use one of ${known.join(', ')}, or none for a generic source.`);
    }
  }
  const errors = checks(body, key ?? null);
  errors.push(...verificationErrors({ connectorKey: key ?? null, verification: fields.verification, allowUnverified }, environmentName, true));
  if (errors.length > 0) throw problems.validation(errors);
  await checkReferences([integrationRef(db, scope, fields.integrationId)]);
  const needsSecret = key !== undefined || (fields.verification !== undefined && fields.verification.type !== 'none');
  if (needsSecret && !fields.secret) throw problems.validation([{ field: '/secret', message: 'is required to verify this source' }]);
}

/** What a change refuses beyond its schema (see `checkCreate`); the CLI checks the same. */
export async function checkUpdate(db: Db, scope: TenantScope, body: Static<typeof UpdateBody>, existing: Source, environmentName: string | undefined): Promise<void> {
  const { allowUnverified, ...change } = body;
  const errors = [...checks(body, existing.connectorKey), ...verificationErrors({ connectorKey: existing.connectorKey, verification: change.verification, allowUnverified }, environmentName, false)];
  if (errors.length > 0) throw problems.validation(errors);
  await checkReferences([integrationRef(db, scope, body.integrationId)]);
}

/** The API's view of a source; `patchbay sources` answers with it too. */
export const sourceView = (publicUrl: string, s: Source) => ({
  id: s.id,
  name: s.name,
  url: `${publicUrl}/webhooks/in/${s.id}`,
  connector: s.connectorKey,
  integrationId: s.integrationId,
  ...sourceVerification(s),
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

export const sourceRoutes =
  (runtimeOf: InboundRuntimeOf): FastifyPluginAsyncTypebox =>
  async (app) => {
    await loadRegistry();
    const tags = ['sources'];
    const view = (s: Source) => sourceView(app.deps.config.publicUrl, s);

    app.get(
      '/sources',
      {
        config: { scope: 'sources:read' },
        schema: { operationId: 'listSources', tags, summary: 'This environment’s sources, newest first', querystring: Type.Object(PageQuery), response: { 200: Page(SourceView), ...problemResponses(...AUTHENTICATED_PROBLEMS) } },
      },
      async (request) => {
        const limit = request.query.limit ?? 50;
        const rows = await listSources(app.deps.database.db, tenantOf(request), { limit: limit + 1, before: decodeCursor(request.query.cursor) });
        const result = page(rows, limit, (s) => s.id);
        return { data: result.data.map(view), nextCursor: result.nextCursor };
      },
    );

    app.post(
      '/sources',
      {
        config: { scope: 'sources:write' },
        schema: { operationId: 'createSource', tags, summary: 'Create a source; its URL is in the answer', body: CreateBody, response: { 201: SourceView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 422) } },
      },
      async (request, reply) => {
        const scope = tenantOf(request);
        await checkCreate(app.deps.database.db, scope, request.body, principalOf(request).environmentName);
        const { connector: key, ...body } = request.body;
        const { allowUnverified: _acknowledged, ...fields } = body;
        const { runtime, created } = await app.deps.database.db.transaction(async (tx) => {
          const runtime = runtimeOf(app);
          const created = await createSource(tx, runtime.vault, app.deps.clock, scope, { ...(fields as SourceInput), connectorKey: key ?? null, secret: body.secret });
          await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'source.created', targetType: 'source', targetId: created.id, details: { name: created.name, connector: created.connectorKey, unverified: isUnverified(created) } });
          return { runtime, created };
        });
        runtime.ingestor.invalidate(created.id);
        return reply.status(201).send(view(created));
      },
    );

    app.get(
      '/sources/:id',
      { config: { scope: 'sources:read' }, schema: { operationId: 'getSource', tags, summary: 'One source (never its secrets)', params: IdParams, response: { 200: SourceView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
      async (request) => {
        const source = await getSource(app.deps.database.db, tenantOf(request), request.params.id);
        if (!source) throw problems.notFound('Source', request.params.id);
        return view(source);
      },
    );

    app.patch(
      '/sources/:id',
      {
        config: { scope: 'sources:write' },
        schema: { operationId: 'updateSource', tags, summary: 'Change a source; a new secret rotates (the previous stays valid for a while)', params: IdParams, body: UpdateBody, response: { 200: SourceView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) } },
      },
      async (request) => {
        const scope = tenantOf(request);
        const runtime = runtimeOf(app);
        const { db } = app.deps.database;
        const existing = await getSource(db, scope, request.params.id);
        if (!existing) throw problems.notFound('Source', request.params.id);
        await checkUpdate(db, scope, request.body, existing, principalOf(request).environmentName);
        const { allowUnverified: _acknowledged, ...change } = request.body;
        const updated = await db.transaction(async (tx) => {
          const row = await updateSource(tx, runtime.vault, app.deps.clock, scope, existing.id, change as Partial<SourceInput>);
          await recordAudit(tx, { ...scope, actor: actorOf(request), action: request.body.secret ? 'source.secret_rotated' : 'source.updated', targetType: 'source', targetId: existing.id, details: { fields: Object.keys(request.body).filter((k) => k !== 'secret') } });
          return row!;
        });
        runtime.ingestor.invalidate(existing.id);
        return view(updated);
      },
    );

    app.delete(
      '/sources/:id',
      { config: { scope: 'sources:write' }, schema: { operationId: 'deleteSource', tags, summary: 'Delete a source, its secrets and its events', params: IdParams, response: { 204: Type.Null(), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
      async (request, reply) => {
        const scope = tenantOf(request);
        const runtime = runtimeOf(app);
        const deleted = await app.deps.database.db.transaction(async (tx) => {
          const gone = await deleteSource(tx, runtime.vault, scope, request.params.id);
          if (gone) await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'source.deleted', targetType: 'source', targetId: request.params.id });
          return gone;
        });
        if (!deleted) throw problems.notFound('Source', request.params.id);
        runtime.ingestor.invalidate(request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
