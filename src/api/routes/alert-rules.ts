/** Alert rules: every rule with this environment's settings (defaults where it changed nothing), and changing one. */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../auth/index.ts';
import { getRule, listRules, updateRule, type EffectiveRule } from '../../alerts/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, iso, NullableTimestamp, problemResponses } from '../schemas.ts';

const SeveritySchema = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
const QuietHours = Type.Object({ start: Type.String({ description: 'UTC, HH:MM' }), end: Type.String({ description: 'UTC, HH:MM' }) }, { additionalProperties: false });
const RuleParams = Type.Object({ rule: Type.String({ minLength: 1, maxLength: 100 }) });

const RuleView = Type.Object({
  rule: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  severity: SeveritySchema,
  params: Type.Record(Type.String(), Type.Number()),
  channelIds: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'null: every enabled channel' }),
  minSeverity: SeveritySchema,
  repeatMinutes: Type.Integer({ description: 'An alert still open is sent again after this long (0: never)' }),
  quietHours: Type.Union([QuietHours, Type.Null()]),
  customized: Type.Boolean(),
  updatedAt: NullableTimestamp,
});

const RulePatch = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    severity: Type.Optional(SeveritySchema),
    params: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }))),
    channelIds: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }), Type.Null()])),
    minSeverity: Type.Optional(SeveritySchema),
    repeatMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 43_200 })),
    quietHours: Type.Optional(Type.Union([QuietHours, Type.Null()])),
  },
  { additionalProperties: false },
);

const view = (r: EffectiveRule) => ({ ...r, updatedAt: iso(r.updatedAt) });

export const alertRuleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['alerts'];
  app.get(
    '/alert-rules',
    { config: { scope: 'alerts:read' }, schema: { operationId: 'listAlertRules', tags, summary: 'Every alert rule as it applies in this environment', response: { 200: Type.Object({ data: Type.Array(RuleView), nextCursor: Type.Null() }), ...problemResponses(...AUTHENTICATED_PROBLEMS) } } },
    async (request) => ({ data: (await listRules(app.deps.database.db, tenantOf(request))).map(view), nextCursor: null }),
  );
  app.get(
    '/alert-rules/:rule',
    { config: { scope: 'alerts:read' }, schema: { operationId: 'getAlertRule', tags, summary: 'One alert rule', params: RuleParams, response: { 200: RuleView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => view(await getRule(app.deps.database.db, tenantOf(request), request.params.rule)),
  );
  app.patch(
    '/alert-rules/:rule',
    { config: { scope: 'alerts:configure' }, schema: { operationId: 'updateAlertRule', tags, summary: "Change a rule for this environment (parameters merge with the rule's defaults)", params: RuleParams, body: RulePatch, response: { 200: RuleView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const rule = await app.deps.database.db.transaction(async (tx) => {
        const updated = await updateRule(tx, scope, request.params.rule, request.body, app.deps.clock.now());
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'alert_rule.updated', targetType: 'alert_rule', targetId: request.params.rule, details: { fields: Object.keys(request.body) } });
        return updated;
      });
      return view(rule);
    },
  );
};
