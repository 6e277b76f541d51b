/**
 * Which channels hear of an alert change, and when: a new (or repeated, or re-opened) alert goes
 * to the rule's channels that take its severity — after the quiet hours unless it is critical;
 * an acknowledgement or resolution goes to the channels that were sent the alert, so PagerDuty
 * and Opsgenie close what they opened and Slack updates its message. One job per alert and
 * channel at a time (a later change replaces a change still waiting).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { enqueueMany, type JobSpec } from '../queue/index.ts';
import { alertNotifications, alerts, notificationChannels } from './schema.ts';
import { quietUntil, severityRank, type EffectiveRule } from './rules.ts';

export const NOTIFY_JOB = 'alert.notify';

export type NotifyAction = 'trigger' | 'repeat' | 'acknowledge' | 'resolve';

export interface NotifyPayload {
  alertId: string;
  channelId: string;
  action: NotifyAction;
}

type AlertRow = typeof alerts.$inferSelect;

export async function enqueueNotifications(tx: Db, clock: Clock, alert: AlertRow, action: NotifyAction, rule: EffectiveRule): Promise<number> {
  const now = clock.now();
  let channelIds: string[];
  let runAt = now;
  if (action === 'trigger' || action === 'repeat') {
    if (severityRank(alert.severity) < severityRank(rule.minSeverity)) return 0;
    const channels = await tx
      .select({ id: notificationChannels.id })
      .from(notificationChannels)
      .where(
        and(
          eq(notificationChannels.environmentId, alert.environmentId),
          eq(notificationChannels.enabled, true),
          rule.channelIds ? inArray(notificationChannels.id, rule.channelIds.length ? rule.channelIds : ['']) : undefined,
        ),
      );
    channelIds = channels.map((c) => c.id);
    if (channelIds.length > 0) {
      await tx
        .insert(alertNotifications)
        .values(channelIds.map((channelId) => ({ alertId: alert.id, channelId, createdAt: now, updatedAt: now })))
        .onConflictDoNothing();
    }
    if (alert.severity !== 'critical') runAt = quietUntil(rule.quietHours, now) ?? now;
    await tx.update(alerts).set({ lastNotifiedAt: now }).where(eq(alerts.id, alert.id));
  } else {
    const sent = await tx.select({ channelId: alertNotifications.channelId }).from(alertNotifications).where(eq(alertNotifications.alertId, alert.id));
    channelIds = sent.map((s) => s.channelId);
  }
  const specs: JobSpec<NotifyPayload>[] = channelIds.map((channelId) => ({
    type: NOTIFY_JOB,
    payload: { alertId: alert.id, channelId, action },
    organizationId: alert.organizationId,
    environmentId: alert.environmentId,
    runAt,
    key: `notify:${alert.id}:${channelId}`,
    keyMode: 'replace',
  }));
  await enqueueMany(tx, specs, { clock });
  return specs.length;
}

/** Counts of what an alert's channels were sent (for the API's alert view). */
export async function notificationsOf(db: Db, alertId: string) {
  return db
    .select({
      channelId: alertNotifications.channelId,
      channelName: notificationChannels.name,
      channelType: notificationChannels.type,
      sent: alertNotifications.sent,
      lastAction: alertNotifications.lastAction,
      lastError: alertNotifications.lastError,
      updatedAt: alertNotifications.updatedAt,
    })
    .from(alertNotifications)
    .innerJoin(notificationChannels, eq(notificationChannels.id, alertNotifications.channelId))
    .where(eq(alertNotifications.alertId, alertId))
    .orderBy(sql`${notificationChannels.name}`);
}
