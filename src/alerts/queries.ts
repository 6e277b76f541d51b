/** Reading alerts: a filtered list (newest first, by cursor), one alert, its timeline. */
import { and, asc, desc, eq, lt, ne, type SQL } from 'drizzle-orm';
import { problems } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { alerts, alertTimeline, type AlertStatus, type Severity } from './schema.ts';
import type { RuleScope } from './rules.ts';
import type { Alert } from './alerts.ts';

export interface AlertFilter {
  /** `unresolved` is open, acknowledged or snoozed. */
  status?: AlertStatus | 'unresolved' | undefined;
  severity?: Severity | undefined;
  rule?: string | undefined;
  subjectId?: string | undefined;
}

export async function listAlerts(db: Db, scope: RuleScope, filter: AlertFilter, page: { limit: number; before?: string | undefined }): Promise<Alert[]> {
  const conditions: (SQL | undefined)[] = [
    eq(alerts.organizationId, scope.organizationId),
    eq(alerts.environmentId, scope.environmentId),
    filter.status === 'unresolved' ? ne(alerts.status, 'resolved') : filter.status ? eq(alerts.status, filter.status) : undefined,
    filter.severity ? eq(alerts.severity, filter.severity) : undefined,
    filter.rule ? eq(alerts.rule, filter.rule) : undefined,
    filter.subjectId ? eq(alerts.subjectId, filter.subjectId) : undefined,
    page.before ? lt(alerts.id, page.before) : undefined,
  ];
  return db.select().from(alerts).where(and(...conditions)).orderBy(desc(alerts.id)).limit(page.limit);
}

export async function getAlert(db: Db, scope: RuleScope, id: string): Promise<Alert> {
  const [row] = await db
    .select()
    .from(alerts)
    .where(and(eq(alerts.organizationId, scope.organizationId), eq(alerts.environmentId, scope.environmentId), eq(alerts.id, id)));
  if (!row) throw problems.notFound('Alert', id);
  return row;
}

export async function alertTimelineOf(db: Db, alertId: string) {
  return db.select().from(alertTimeline).where(eq(alertTimeline.alertId, alertId)).orderBy(asc(alertTimeline.id));
}
