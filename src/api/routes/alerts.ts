/** Alerts: list (filters, cursor), one alert with its timeline and channels, acknowledge, resolve, snooze. */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { acknowledgeAlert, alertTimelineOf, getAlert, listAlerts, notificationsOf, resolveAlert, snoozeAlert, type Alert } from '../../alerts/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { decodeCursor, Page, PageQuery, page } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const SeveritySchema = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
const StatusSchema = Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('snoozed'), Type.Literal('resolved')]);

export const AlertView = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  dedupKey: Type.String(),
  status: StatusSchema,
  severity: SeveritySchema,
  title: Type.String(),
  message: Type.String(),
  subjectType: Nullable(Type.String()),
  subjectId: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  openedAt: Timestamp,
  acknowledgedAt: NullableTimestamp,
  acknowledgedBy: Nullable(Type.String()),
  snoozedUntil: NullableTimestamp,
  resolvedAt: NullableTimestamp,
  resolvedBy: Nullable(Type.String()),
  lastNotifiedAt: NullableTimestamp,
});

const TimelineEntry = Type.Object({ at: Timestamp, kind: Type.String(), actor: Nullable(Type.String()), details: Type.Record(Type.String(), Type.Unknown()) });
const NotificationView = Type.Object({
  channelId: Type.String(),
  channelName: Type.String(),
  channelType: Type.String(),
  sent: Type.Integer(),
  lastAction: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  updatedAt: Timestamp,
});
const AlertDetail = Type.Intersect([AlertView, Type.Object({ timeline: Type.Array(TimelineEntry), notifications: Type.Array(NotificationView) })]);

export const alertView = (a: Alert) => ({
  id: a.id,
  rule: a.rule,
  dedupKey: a.dedupKey,
  status: a.status,
  severity: a.severity,
  title: a.title,
  message: a.message,
  subjectType: a.subjectType,
  subjectId: a.subjectId,
  details: a.details,
  openedAt: iso(a.openedAt)!,
  acknowledgedAt: iso(a.acknowledgedAt),
  acknowledgedBy: a.acknowledgedBy,
  snoozedUntil: iso(a.snoozedUntil),
  resolvedAt: iso(a.resolvedAt),
  resolvedBy: a.resolvedBy,
  lastNotifiedAt: iso(a.lastNotifiedAt),
});

export const NoteBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 2_000 })) }, { additionalProperties: false });
export const SnoozeBody = Type.Object(
  {
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Snoozed until this instant' })),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 43_200, description: 'Snoozed for this many minutes' })),
  },
  { additionalProperties: false },
);

/** `until` or `minutes` from now, exactly one. */
export function snoozeUntil(body: { until?: string | undefined; minutes?: number | undefined }, now: Date): Date {
  if ((body.until === undefined) === (body.minutes === undefined)) throw problems.validation([{ field: '/until', message: 'give either until or minutes' }]);
  return body.until ? new Date(body.until) : new Date(now.getTime() + body.minutes! * 60_000);
}

export const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['alerts'];
  const db = () => app.deps.database.db;

  app.get(
    '/alerts',
    {
      config: { scope: 'alerts:read' },
      schema: {
        operationId: 'listAlerts',
        tags,
        summary: 'Alerts of this environment, newest first',
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(Type.Union([StatusSchema, Type.Literal('unresolved')])),
          severity: Type.Optional(SeveritySchema),
          rule: Type.Optional(Type.String({ maxLength: 100 })),
          subjectId: Type.Optional(Type.String({ maxLength: 128 })),
        }),
        response: { 200: Page(AlertView), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const { limit = 50, cursor, ...filter } = request.query;
      const rows = await listAlerts(db(), tenantOf(request), filter, { limit: limit + 1, before: decodeCursor(cursor) });
      const result = page(rows, limit, (a) => a.id);
      return { data: result.data.map(alertView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/alerts/:id',
    { config: { scope: 'alerts:read' }, schema: { operationId: 'getAlert', tags, summary: 'One alert with its timeline and the channels it was sent to', params: IdParams, response: { 200: AlertDetail, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const alert = await getAlert(db(), tenantOf(request), request.params.id);
      const timeline = (await alertTimelineOf(db(), alert.id)).map((t) => ({ at: iso(t.at)!, kind: t.kind, actor: t.actor, details: t.details }));
      const notifications = (await notificationsOf(db(), alert.id)).map((n) => ({ ...n, updatedAt: iso(n.updatedAt)! }));
      return { ...alertView(alert), timeline, notifications };
    },
  );

  const change = (name: 'acknowledge' | 'resolve', summary: string) =>
    app.post(
      `/alerts/:id/${name}`,
      { config: { scope: 'alerts:write' }, schema: { operationId: `${name}Alert`, tags, summary, params: IdParams, body: Type.Optional(NoteBody), response: { 200: AlertView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) } } },
      async (request) => {
        const act = name === 'acknowledge' ? acknowledgeAlert : resolveAlert;
        const alert = await db().transaction((tx) => act(tx, app.deps.clock, tenantOf(request), request.params.id, actorOf(request), request.body?.note));
        return alertView(alert);
      },
    );
  change('acknowledge', 'Acknowledge an alert (its channels hear of it: PagerDuty and Opsgenie acknowledge, Slack updates its message)');
  change('resolve', 'Resolve an alert by hand (its channels close what they opened)');

  app.post(
    '/alerts/:id/snooze',
    { config: { scope: 'alerts:write' }, schema: { operationId: 'snoozeAlert', tags, summary: 'Snooze an alert until a time; it opens again then if its cause remains', params: IdParams, body: SnoozeBody, response: { 200: AlertView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) } } },
    async (request) => {
      const until = snoozeUntil(request.body, app.deps.clock.now());
      const alert = await db().transaction((tx) => snoozeAlert(tx, app.deps.clock, tenantOf(request), request.params.id, actorOf(request), until));
      return alertView(alert);
    },
  );
};
