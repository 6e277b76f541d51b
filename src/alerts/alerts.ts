/**
 * The alert lifecycle: `open` → `acknowledged` → `resolved` (when the cause clears, or by hand),
 * or `snoozed` until a time. One unresolved alert per cause (its dedup key). Every change is a
 * timeline entry, an audit entry and an `alert.*` event (published in the same transaction, so
 * outbound endpoints subscribed to `alert.*` get it), and sends the rule's channels their part.
 */
import { and, eq, ne } from 'drizzle-orm';
import { newId, problems, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { recordAudit, type Actor } from '../auth/index.ts';
import { publish } from '../events/index.ts';
import { alerts, alertTimeline, type Severity } from './schema.ts';
import { getRule, type RuleName, type RuleScope } from './rules.ts';
import { enqueueNotifications, type NotifyAction } from './notify-plan.ts';

export type Alert = typeof alerts.$inferSelect;

export interface RaiseInput {
  rule: RuleName;
  dedupKey: string;
  title: string;
  message: string;
  /** The rule's severity unless given. */
  severity?: Severity;
  subjectType?: string;
  subjectId?: string;
  details?: Record<string, unknown>;
}

export const SYSTEM: Actor = { type: 'system', id: null };
export const actorName = (actor: Actor): string => (actor.id ? `${actor.type}:${actor.id}` : actor.type);

/** What `alert.*` events carry. */
export function alertEventData(alert: Alert): Record<string, unknown> {
  return {
    alertId: alert.id,
    rule: alert.rule,
    dedupKey: alert.dedupKey,
    status: alert.status,
    severity: alert.severity,
    title: alert.title,
    message: alert.message,
    subjectType: alert.subjectType,
    subjectId: alert.subjectId,
    openedAt: alert.openedAt.toISOString(),
    acknowledgedBy: alert.acknowledgedBy,
    snoozedUntil: alert.snoozedUntil?.toISOString() ?? null,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    resolvedBy: alert.resolvedBy,
  };
}

async function record(tx: Db, scope: RuleScope, alert: Alert, kind: string, actor: Actor, now: Date, details: Record<string, unknown> = {}): Promise<void> {
  await tx.insert(alertTimeline).values({ id: newId('atl'), alertId: alert.id, at: now, kind, actor: actorName(actor), details });
  await publish(tx, { ...scope, type: `alert.${kind}`, data: alertEventData(alert), occurredAt: now });
  await recordAudit(tx, { ...scope, actor, action: `alert.${kind}`, targetType: 'alert', targetId: alert.id, details: { rule: alert.rule, dedupKey: alert.dedupKey, ...details } });
}

/** The unresolved alert of a cause, if any. */
export async function unresolvedAlert(db: Db, scope: RuleScope, dedupKey: string): Promise<Alert | undefined> {
  const [row] = await db
    .select()
    .from(alerts)
    .where(and(eq(alerts.environmentId, scope.environmentId), eq(alerts.dedupKey, dedupKey), ne(alerts.status, 'resolved')));
  return row;
}

/**
 * Opens an alert for a cause unless one is open already (then returns that one). Does nothing
 * when the environment turned the rule off.
 */
export async function raiseAlert(tx: Db, clock: Clock, scope: RuleScope, input: RaiseInput): Promise<{ alert: Alert; opened: boolean } | undefined> {
  const rule = await getRule(tx, scope, input.rule);
  if (!rule.enabled) return undefined;
  const existing = await unresolvedAlert(tx, scope, input.dedupKey);
  if (existing) return { alert: existing, opened: false };
  const now = clock.now();
  const [inserted] = await tx
    .insert(alerts)
    .values({
      id: newId('alr'),
      ...scope,
      rule: input.rule,
      dedupKey: input.dedupKey,
      status: 'open',
      severity: input.severity ?? rule.severity,
      title: input.title,
      message: input.message,
      subjectType: input.subjectType ?? null,
      subjectId: input.subjectId ?? null,
      details: input.details ?? {},
      openedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (!inserted) {
    // Another transaction opened it between our read and our insert.
    const winner = await unresolvedAlert(tx, scope, input.dedupKey);
    return winner ? { alert: winner, opened: false } : undefined;
  }
  await record(tx, scope, inserted, 'opened', SYSTEM, now, { severity: inserted.severity });
  await enqueueNotifications(tx, clock, inserted, 'trigger', rule);
  return { alert: inserted, opened: true };
}

async function change(tx: Db, clock: Clock, scope: RuleScope, current: Alert, set: Partial<Alert>, kind: string, actor: Actor, action: NotifyAction | undefined, details: Record<string, unknown> = {}): Promise<Alert> {
  const now = clock.now();
  const [updated] = await tx
    .update(alerts)
    .set({ ...set, updatedAt: now })
    .where(and(eq(alerts.environmentId, scope.environmentId), eq(alerts.id, current.id)))
    .returning();
  await record(tx, scope, updated!, kind, actor, now, details);
  if (action) await enqueueNotifications(tx, clock, updated!, action, await getRule(tx, scope, updated!.rule));
  return updated!;
}

async function lockAlert(tx: Db, scope: RuleScope, id: string): Promise<Alert> {
  const [row] = await tx
    .select()
    .from(alerts)
    .where(and(eq(alerts.organizationId, scope.organizationId), eq(alerts.environmentId, scope.environmentId), eq(alerts.id, id)))
    .for('update');
  if (!row) throw problems.notFound('Alert', id);
  return row;
}

/** Resolves the unresolved alert of a cause (the cause cleared); nothing when there is none. */
export async function resolveCause(tx: Db, clock: Clock, scope: RuleScope, dedupKey: string, reason: string): Promise<Alert | undefined> {
  const open = await unresolvedAlert(tx, scope, dedupKey);
  if (!open) return undefined;
  const now = clock.now();
  return change(tx, clock, scope, open, { status: 'resolved', resolvedAt: now, resolvedBy: 'system', snoozedUntil: null }, 'resolved', SYSTEM, 'resolve', { reason });
}

export async function resolveAlert(tx: Db, clock: Clock, scope: RuleScope, id: string, actor: Actor, note?: string): Promise<Alert> {
  const current = await lockAlert(tx, scope, id);
  if (current.status === 'resolved') throw problems.conflict(`Alert ${id} is resolved already.`);
  const now = clock.now();
  return change(tx, clock, scope, current, { status: 'resolved', resolvedAt: now, resolvedBy: actorName(actor), snoozedUntil: null }, 'resolved', actor, 'resolve', note ? { note } : {});
}

export async function acknowledgeAlert(tx: Db, clock: Clock, scope: RuleScope, id: string, actor: Actor, note?: string): Promise<Alert> {
  const current = await lockAlert(tx, scope, id);
  if (current.status === 'resolved') throw problems.conflict(`Alert ${id} is resolved; there is nothing to acknowledge.`);
  if (current.status === 'acknowledged') return current;
  const now = clock.now();
  return change(tx, clock, scope, current, { status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: actorName(actor), snoozedUntil: null }, 'acknowledged', actor, 'acknowledge', note ? { note } : {});
}

export async function snoozeAlert(tx: Db, clock: Clock, scope: RuleScope, id: string, actor: Actor, until: Date): Promise<Alert> {
  const current = await lockAlert(tx, scope, id);
  if (current.status === 'resolved') throw problems.conflict(`Alert ${id} is resolved; it cannot be snoozed.`);
  if (until <= clock.now()) throw problems.validation([{ field: '/until', message: 'must be in the future' }]);
  return change(tx, clock, scope, current, { status: 'snoozed', snoozedUntil: until }, 'snoozed', actor, undefined, { until: until.toISOString() });
}

/** A snooze that ran out: the alert is open again and its channels hear of it again. */
export async function wakeAlert(tx: Db, clock: Clock, scope: RuleScope, id: string): Promise<Alert> {
  const current = await lockAlert(tx, scope, id);
  return change(tx, clock, scope, current, { status: 'open', snoozedUntil: null }, 'reopened', SYSTEM, 'trigger', { reason: 'snooze ended' });
}
