/**
 * Health of a connection (its state, statistics over 1 h / 24 h / 30 d, recent checks) and of an
 * integration (statistics over all its connections, its check settings, and changing them).
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import { getConnection } from '../../connections/index.ts';
import { getIntegration } from '../../integrations/index.ts';
import { healthStateOf, healthWindows, readHealthSettings, recentChecks, updateHealthSettings, type EffectiveHealthSettings, type Operations } from '../../alerts/index.ts';
import { actorOf, tenantOf, type TenantScope } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const WindowView = Type.Object({
  checks: Type.Integer(),
  failures: Type.Integer(),
  p50Ms: Nullable(Type.Integer()),
  p95Ms: Nullable(Type.Integer()),
  p99Ms: Nullable(Type.Integer()),
  errorRate: Nullable(Type.Number()),
  availability: Nullable(Type.Number()),
  healthy: Nullable(Type.Boolean({ description: 'null without checks in the window' })),
});
const Windows = Type.Object({ '1h': WindowView, '24h': WindowView, '30d': WindowView });
const Thresholds = Type.Object({ p95Ms: Type.Number({ minimum: 1 }), errorRate: Type.Number({ minimum: 0, maximum: 1 }), availability: Type.Number({ minimum: 0, maximum: 1 }) });
const SettingsView = Type.Object({ enabled: Type.Boolean(), intervalSeconds: Type.Integer(), timeoutMs: Type.Integer(), failureThreshold: Type.Integer(), thresholds: Thresholds });
const CheckView = Type.Object({ checkedAt: Timestamp, latencyMs: Type.Integer(), outcome: Type.String(), errorClass: Nullable(Type.String()), statusCode: Nullable(Type.Integer()), message: Nullable(Type.String()) });

const ConnectionHealth = Type.Object({
  connectionId: Type.String(),
  status: Type.String(),
  consecutiveFailures: Type.Integer(),
  lastCheckedAt: NullableTimestamp,
  lastOutcome: Nullable(Type.String()),
  nextCheckAt: NullableTimestamp,
  windows: Windows,
  recent: Type.Array(CheckView),
});
const IntegrationHealth = Type.Object({ integrationId: Type.String(), settings: SettingsView, windows: Windows });

const SettingsPatch = Type.Object(
  {
    enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    intervalSeconds: Type.Optional(Type.Union([Type.Integer({ minimum: 5, maximum: 86_400 }), Type.Null()])),
    timeoutMs: Type.Optional(Type.Union([Type.Integer({ minimum: 100, maximum: 60_000 }), Type.Null()])),
    failureThreshold: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()])),
    thresholds: Type.Optional(Type.Union([Type.Partial(Thresholds), Type.Null()])),
  },
  { additionalProperties: false },
);

export const connectionHealthRoutes: FastifyPluginAsyncTypebox<{ ops: Operations }> = async (app, { ops }) => {
  const tags = ['health'];
  const db = () => app.deps.database.db;
  const defaults = ops.health.defaults;
  const integrationOf = async (scope: TenantScope, id: string) => {
    const integration = await getIntegration(db(), scope, id);
    if (!integration) throw problems.notFound('Integration', id);
    return integration;
  };
  const integrationHealth = async (scope: TenantScope, id: string, settings: EffectiveHealthSettings) => ({
    integrationId: id,
    settings,
    windows: await healthWindows(db(), scope.environmentId, { integrationId: id }, app.deps.clock.now(), settings.thresholds),
  });

  app.get(
    '/connections/:id/health',
    { config: { scope: 'alerts:read' }, schema: { operationId: 'getConnectionHealth', tags, summary: "A connection's health checks: state, p50/p95/p99, error rate and availability over 1 h, 24 h and 30 d, recent checks", params: IdParams, response: { 200: ConnectionHealth, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const connection = await getConnection(db(), scope, request.params.id);
      if (!connection) throw problems.notFound('Connection', request.params.id);
      const settings = await readHealthSettings(db(), scope, connection.integrationId, defaults);
      const state = await healthStateOf(db(), scope.environmentId, connection.id);
      return {
        connectionId: connection.id,
        status: connection.status,
        consecutiveFailures: state?.consecutiveFailures ?? 0,
        lastCheckedAt: iso(state?.lastCheckedAt),
        lastOutcome: state?.lastOutcome ?? null,
        nextCheckAt: iso(state?.nextCheckAt),
        windows: await healthWindows(db(), scope.environmentId, { connectionId: connection.id }, app.deps.clock.now(), settings.thresholds),
        recent: (await recentChecks(db(), scope.environmentId, connection.id, 20)).map((c) => ({ checkedAt: iso(c.checkedAt)!, latencyMs: c.latencyMs, outcome: c.outcome, errorClass: c.errorClass, statusCode: c.statusCode, message: c.message })),
      };
    },
  );

  app.get(
    '/integrations/:id/health',
    { config: { scope: 'alerts:read' }, schema: { operationId: 'getIntegrationHealth', tags, summary: "An integration's health over all its connections, and its check settings", params: IdParams, response: { 200: IntegrationHealth, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const integration = await integrationOf(scope, request.params.id);
      return integrationHealth(scope, integration.id, await readHealthSettings(db(), scope, integration.id, defaults));
    },
  );

  app.patch(
    '/integrations/:id/health',
    { config: { scope: 'alerts:configure' }, schema: { operationId: 'updateIntegrationHealthSettings', tags, summary: "Change an integration's check interval, timeout, failure threshold or healthy thresholds (null: the default)", params: IdParams, body: SettingsPatch, response: { 200: IntegrationHealth, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const integration = await integrationOf(scope, request.params.id);
      await db().transaction(async (tx) => {
        await updateHealthSettings(tx, scope, integration.id, request.body, app.deps.clock.now());
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'integration.health_settings_updated', targetType: 'integration', targetId: integration.id, details: { fields: Object.keys(request.body) } });
      });
      return integrationHealth(scope, integration.id, await readHealthSettings(db(), scope, integration.id, defaults));
    },
  );
};

export { SettingsView as HealthSettingsView };
