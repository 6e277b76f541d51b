/**
 * Sending one alert change to one channel (the `alert.notify` job), and a channel's test
 * message. A failure is written on the channel (last error, failing since) and in the alert's
 * timeline, and the job is retried with backoff while trying again may help. A channel's own
 * failure never raises an alert, so a broken channel cannot start a loop of alerts about itself.
 */
import { and, eq, sql } from 'drizzle-orm';
import { newId, toError, type Clock, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import { guardedProviderAgent } from '../proxy/index.ts';
import { findEnvironment } from '../auth/index.ts';
import { ChannelError, SENDERS, type AlertMessage, type SendAction } from './channels/index.ts';
import { channelSecrets, getChannel, recordChannelOutcome, type Channel } from './channels-store.ts';
import { alertNotifications, alerts, alertTimeline } from './schema.ts';
import type { NotifyPayload } from './notify-plan.ts';
import type { RuleScope } from './rules.ts';

export interface NotifyDeps {
  db: Db;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  /** Links in messages point here (the dashboard). */
  publicUrl: string;
  timeoutMs: number;
}

type AlertRow = typeof alerts.$inferSelect;

export function alertMessage(alert: AlertRow, publicUrl: string): AlertMessage {
  const subjectPath = alert.subjectType === 'connection' ? 'connections' : alert.subjectType === 'endpoint' ? 'webhooks/endpoints' : undefined;
  return {
    id: alert.id,
    title: alert.title,
    message: alert.message,
    severity: alert.severity,
    status: alert.status,
    rule: alert.rule,
    dedupKey: alert.dedupKey,
    subjectType: alert.subjectType,
    subjectId: alert.subjectId,
    openedAt: alert.openedAt,
    acknowledgedBy: alert.acknowledgedBy,
    resolvedBy: alert.resolvedBy,
    link: `${publicUrl}/alerts/${alert.id}`,
    subjectLink: subjectPath && alert.subjectId ? `${publicUrl}/${subjectPath}/${encodeURIComponent(alert.subjectId)}` : null,
  };
}

async function deliver(deps: NotifyDeps, scope: RuleScope, channel: Channel, action: SendAction, alert: AlertMessage, ref: Record<string, string> | null) {
  const environment = await findEnvironment(deps.db, scope.organizationId, scope.environmentId);
  const secrets = await channelSecrets(deps.db, deps.vault, scope, channel.id);
  return SENDERS[channel.type].send({
    action,
    alert,
    config: channel.config,
    secrets,
    ref,
    dispatcher: guardedProviderAgent(environment?.allowPrivateNetworks ?? false),
    timeoutMs: deps.timeoutMs,
  });
}

/** Runs one `alert.notify` job; throws (for a retry) only when trying again may help. */
export async function notifyChannel(deps: NotifyDeps, payload: NotifyPayload, attempt: { number: number; last: boolean }): Promise<void> {
  const { db, clock } = deps;
  const [alert] = await db.select().from(alerts).where(eq(alerts.id, payload.alertId));
  if (!alert) return;
  const scope = { organizationId: alert.organizationId, environmentId: alert.environmentId };
  let channel: Channel;
  try {
    channel = await getChannel(db, scope, payload.channelId);
  } catch {
    return; // deleted since
  }
  if (!channel.enabled) return;
  const [notification] = await db
    .select()
    .from(alertNotifications)
    .where(and(eq(alertNotifications.alertId, alert.id), eq(alertNotifications.channelId, channel.id)));
  // Nothing reached this channel, so there is nothing to acknowledge or resolve there.
  if ((payload.action === 'acknowledge' || payload.action === 'resolve') && (!notification || notification.sent === 0)) return;
  const timeline = (kind: string, details: Record<string, unknown>) =>
    db.insert(alertTimeline).values({ id: newId('atl'), alertId: alert.id, at: clock.now(), kind, actor: 'system', details: { channelId: channel.id, channelName: channel.name, channelType: channel.type, action: payload.action, ...details } });
  try {
    const ref = await deliver(deps, scope, channel, payload.action, alertMessage(alert, deps.publicUrl), notification?.ref ?? null);
    const now = clock.now();
    await db
      .update(alertNotifications)
      .set({ ref: ref ?? notification?.ref ?? null, sent: sql`${alertNotifications.sent} + 1`, lastAction: payload.action, lastError: null, updatedAt: now })
      .where(and(eq(alertNotifications.alertId, alert.id), eq(alertNotifications.channelId, channel.id)));
    await recordChannelOutcome(db, channel.id, now);
    await timeline('notified', {});
  } catch (err) {
    const error = err instanceof ChannelError ? err : new ChannelError(toError(err).message, true);
    const retry = error.retryable && !attempt.last;
    const now = clock.now();
    await db
      .update(alertNotifications)
      .set({ lastError: error.message, updatedAt: now })
      .where(and(eq(alertNotifications.alertId, alert.id), eq(alertNotifications.channelId, channel.id)));
    await recordChannelOutcome(db, channel.id, now, error.message);
    await timeline('notification_failed', { error: error.message, attempt: attempt.number, willRetry: retry });
    deps.logger.warn({ alertId: alert.id, channelId: channel.id, err: error, willRetry: retry }, 'notification failed');
    if (retry) throw error;
  }
}

/** Sends a test message through a channel now and says how it went (recorded on the channel too). */
export async function sendTestNotification(deps: NotifyDeps, scope: RuleScope, channelId: string): Promise<{ ok: boolean; error: string | null }> {
  const channel = await getChannel(deps.db, scope, channelId);
  const now = deps.clock.now();
  const alert: AlertMessage = {
    id: `test-${channel.id}`,
    title: `Test notification from Patchbay (${channel.name})`,
    message: 'If you can read this, the channel works. No action is needed.',
    severity: 'info',
    status: 'open',
    rule: 'test',
    dedupKey: `test:${channel.id}:${now.getTime()}`,
    subjectType: null,
    subjectId: null,
    openedAt: now,
    acknowledgedBy: null,
    resolvedBy: null,
    link: `${deps.publicUrl}/alerts`,
    subjectLink: null,
  };
  try {
    await deliver(deps, scope, channel, 'test', alert, null);
    await recordChannelOutcome(deps.db, channel.id, deps.clock.now());
    return { ok: true, error: null };
  } catch (err) {
    const message = err instanceof ChannelError ? err.message : toError(err).message;
    await recordChannelOutcome(deps.db, channel.id, deps.clock.now(), message);
    return { ok: false, error: message };
  }
}
