/**
 * `patchbay alerts|channels|health …`: alerts, notification channels and connection health from
 * the CLI, with the API's shapes, whichever way the CLI reaches the hub.
 */
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../auth/index.ts';
import { connections } from '../../connections/index.ts';
import { integrations } from '../../integrations/index.ts';
import {
  acknowledgeAlert,
  alerts,
  getChannel,
  healthStates,
  healthWindows,
  listAlerts,
  listChannels,
  notificationChannels,
  readHealthSettings,
  resolveAlert,
  snoozeAlert,
} from '../../alerts/index.ts';
import { sendTestNotification } from '../../alerts/notify.ts';
import { alertView, snoozeUntil } from '../../api/routes/alerts.ts';
import { channelView } from '../../api/routes/notification-channels.ts';
import { healthDefaults } from '../modules/alerts.ts';
import { limitOf, scopeOf, type EnvironmentScope } from './args.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

const CLI: Actor = { type: 'cli', id: null };

async function scopeOfRow(context: OperationContext, args: Record<string, unknown>, table: typeof alerts | typeof notificationChannels, what: string): Promise<EnvironmentScope> {
  if (args.org || args.env) return scopeOf(context, args);
  const id = required(args, 'id');
  const [row] = await context.database.db.select({ organizationId: table.organizationId, environmentId: table.environmentId }).from(table).where(eq(table.id, id));
  if (!row) throw new OperationError(`no ${what} ${id}`, 404);
  return row;
}

const list: Operation = async (context, args) => {
  const status = text(args, 'status') as Parameters<typeof listAlerts>[2]['status'];
  const severity = text(args, 'severity') as Parameters<typeof listAlerts>[2]['severity'];
  const rows = await listAlerts(context.database.db, await scopeOf(context, args), { status, severity }, { limit: limitOf(args, 250, 50) });
  return { data: rows.map(alertView), nextCursor: null };
};

const change =
  (act: typeof acknowledgeAlert): Operation =>
  async (context, args) => {
    const scope = await scopeOfRow(context, args, alerts, 'alert');
    const note = text(args, 'note');
    return alertView(await context.database.db.transaction((tx) => act(tx, context.clock, scope, required(args, 'id'), CLI, note)));
  };

const snooze: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, alerts, 'alert');
  const minutes = args.minutes === undefined ? undefined : Number(args.minutes);
  const until = snoozeUntil({ until: text(args, 'until'), minutes }, context.clock.now());
  return alertView(await context.database.db.transaction((tx) => snoozeAlert(tx, context.clock, scope, required(args, 'id'), CLI, until)));
};

const channels: Operation = async (context, args) => {
  const scope = await scopeOf(context, args);
  const rows = await listChannels(context.database.db, scope, { limit: limitOf(args, 250, 50) });
  return { data: await Promise.all(rows.map((c) => channelView(context.database.db, context.vault, scope, c))), nextCursor: null };
};

const testChannel: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, notificationChannels, 'notification channel');
  await getChannel(context.database.db, scope, required(args, 'id'));
  return sendTestNotification({ db: context.database.db, vault: context.vault, clock: context.clock, logger: context.logger, publicUrl: context.config.publicUrl, timeoutMs: 10_000 }, scope, required(args, 'id'));
};

/** One row per connection: status, last check, and the last day's p95 and availability. */
const health: Operation = async (context, args) => {
  const scope = await scopeOf(context, args);
  const db = context.database.db;
  const wanted = text(args, 'integration');
  const rows = await db
    .select({ id: connections.id, status: connections.status, integrationId: connections.integrationId, integrationKey: integrations.key, state: healthStates })
    .from(connections)
    .innerJoin(integrations, eq(integrations.id, connections.integrationId))
    .leftJoin(healthStates, and(eq(healthStates.environmentId, connections.environmentId), eq(healthStates.connectionId, connections.id)))
    .where(and(eq(connections.organizationId, scope.organizationId), eq(connections.environmentId, scope.environmentId)))
    .orderBy(connections.id)
    .limit(limitOf(args, 1_000, 200));
  const defaults = healthDefaults(context.config);
  const out = [];
  for (const row of rows) {
    if (wanted && wanted !== row.integrationKey && wanted !== row.integrationId) continue;
    const settings = await readHealthSettings(db, scope, row.integrationId, defaults);
    const day = (await healthWindows(db, scope.environmentId, { connectionId: row.id }, context.clock.now(), settings.thresholds))['24h'];
    out.push({
      connectionId: row.id,
      integration: row.integrationKey,
      status: row.status,
      lastOutcome: row.state?.lastOutcome ?? null,
      lastCheckedAt: row.state?.lastCheckedAt?.toISOString() ?? null,
      consecutiveFailures: row.state?.consecutiveFailures ?? 0,
      checks24h: day.checks,
      p95Ms24h: day.p95Ms,
      availability24h: day.availability,
      healthy24h: day.healthy,
    });
  }
  return { data: out };
};

export const alertOperations: Record<string, Operation> = {
  'alerts.list': list,
  'alerts.ack': change(acknowledgeAlert),
  'alerts.resolve': change(resolveAlert),
  'alerts.snooze': snooze,
  'channels.list': channels,
  'channels.test': testChannel,
  health,
};
