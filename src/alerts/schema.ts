/**
 * Operations tables: connection health (its schedule and its history), integration health
 * settings, alert rules (what an environment changed of the defaults), alerts with their
 * timeline, notification channels and what each alert sent to each channel.
 */
import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantColumns } from '../auth/schema.ts';
import { connections } from '../connections/schema.ts';
import { integrations } from '../integrations/schema.ts';
import { timestamps } from '../db/columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** What one check found. `rate_limited` is neither a pass nor a failure: the provider asked us to wait. */
export type CheckOutcome = 'ok' | 'failure' | 'auth_failure' | 'rate_limited';

/** One row per checked connection: when its next check is due and how it has been doing. */
export const healthStates = pgTable(
  'health_states',
  {
    ...tenantColumns(),
    connectionId: text('connection_id').notNull(),
    integrationId: text('integration_id').notNull(),
    nextCheckAt: at('next_check_at').notNull(),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** The health check put the connection in `error` (and raised an alert); the next pass undoes it. */
    unhealthy: boolean('unhealthy').notNull().default(false),
    lastCheckedAt: at('last_checked_at'),
    lastOutcome: text('last_outcome').$type<CheckOutcome>(),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.environmentId, t.connectionId] }),
    foreignKey({ columns: [t.environmentId, t.connectionId], foreignColumns: [connections.environmentId, connections.id] }).onDelete('cascade'),
    index('health_states_due').on(t.nextCheckAt),
  ],
);

/** The history: every check with its latency and outcome, kept for `PATCHBAY_RETENTION_DAYS`. */
export const healthChecks = pgTable(
  'health_checks',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    connectionId: text('connection_id').notNull(),
    integrationId: text('integration_id').notNull(),
    checkedAt: at('checked_at').notNull(),
    latencyMs: integer('latency_ms').notNull(),
    outcome: text('outcome').$type<CheckOutcome>().notNull(),
    /** The failure code (`timeout`, `provider_error`, `invalid_credentials`…); null on a pass. */
    errorClass: text('error_class'),
    statusCode: integer('status_code'),
    message: text('message'),
  },
  (t) => [
    foreignKey({ columns: [t.environmentId, t.connectionId], foreignColumns: [connections.environmentId, connections.id] }).onDelete('cascade'),
    index('health_checks_connection').on(t.environmentId, t.connectionId, t.checkedAt),
    index('health_checks_integration').on(t.environmentId, t.integrationId, t.checkedAt),
    index('health_checks_age').on(t.checkedAt),
  ],
);

/** What counts as healthy for the statistics (p95, error rate, availability). */
export interface HealthThresholds {
  p95Ms: number;
  errorRate: number;
  availability: number;
}

/** An integration's own health-check settings; absent fields take the hub's defaults. */
export const healthSettings = pgTable('health_settings', {
  integrationId: text('integration_id')
    .primaryKey()
    .references(() => integrations.id, { onDelete: 'cascade' }),
  ...tenantColumns(),
  enabled: boolean('enabled'),
  intervalSeconds: integer('interval_seconds'),
  timeoutMs: integer('timeout_ms'),
  failureThreshold: integer('failure_threshold'),
  thresholds: jsonb('thresholds').$type<Partial<HealthThresholds>>(),
  ...timestamps(),
});

export type Severity = 'info' | 'warning' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'snoozed' | 'resolved';

/** Quiet hours in UTC (`22:00`–`07:00`): notifications below critical wait for their end. */
export interface QuietHours {
  start: string;
  end: string;
}

/** An environment's changes to one rule's defaults (rules.ts); rules without a row run as defined. */
export const alertRules = pgTable(
  'alert_rules',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    rule: text('rule').notNull(),
    enabled: boolean('enabled'),
    severity: text('severity').$type<Severity>(),
    params: jsonb('params').$type<Record<string, number>>(),
    /** Channel ids; null: every enabled channel of the environment. */
    channelIds: jsonb('channel_ids').$type<string[] | null>(),
    minSeverity: text('min_severity').$type<Severity>(),
    repeatMinutes: integer('repeat_minutes'),
    quietHours: jsonb('quiet_hours').$type<QuietHours | null>(),
    ...timestamps(),
  },
  (t) => [uniqueIndex('alert_rules_rule').on(t.environmentId, t.rule)],
);

export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    rule: text('rule').notNull(),
    /** One unresolved alert per cause: `connection_unhealthy:conn_…`. */
    dedupKey: text('dedup_key').notNull(),
    status: text('status').$type<AlertStatus>().notNull(),
    severity: text('severity').$type<Severity>().notNull(),
    title: text('title').notNull(),
    message: text('message').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    openedAt: at('opened_at').notNull(),
    acknowledgedAt: at('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    snoozedUntil: at('snoozed_until'),
    resolvedAt: at('resolved_at'),
    resolvedBy: text('resolved_by'),
    lastNotifiedAt: at('last_notified_at'),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('alerts_one_unresolved').on(t.environmentId, t.dedupKey).where(sql`status <> 'resolved'`),
    index('alerts_scope').on(t.organizationId, t.environmentId, t.id),
    index('alerts_unresolved').on(t.status).where(sql`status <> 'resolved'`),
  ],
);

/** What happened to an alert, in order: opened, notified where, acknowledged by whom, resolved. */
export const alertTimeline = pgTable(
  'alert_timeline',
  {
    id: text('id').primaryKey(),
    alertId: text('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    at: at('at').notNull(),
    kind: text('kind').notNull(),
    actor: text('actor'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('alert_timeline_alert').on(t.alertId, t.id)],
);

export type ChannelType = 'slack' | 'teams' | 'pagerduty' | 'opsgenie' | 'email';

/** Where alerts are sent. Secrets (webhook URLs, tokens, keys, SMTP passwords) live in the vault. */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    name: text('name').notNull(),
    type: text('type').$type<ChannelType>().notNull(),
    /** Settings that are not secret (a Slack channel, SMTP host, recipients…). */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    enabled: boolean('enabled').notNull().default(true),
    lastSuccessAt: at('last_success_at'),
    lastErrorAt: at('last_error_at'),
    lastError: text('last_error'),
    /** Set at the first failure after a success; cleared by the next success. */
    failingSince: at('failing_since'),
    ...timestamps(),
  },
  (t) => [index('notification_channels_scope').on(t.organizationId, t.environmentId, t.id)],
);

/** One alert at one channel: what the provider calls it (Slack's ts, an incident key) and how sending went. */
export const alertNotifications = pgTable(
  'alert_notifications',
  {
    alertId: text('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    channelId: text('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    /** Provider references for later updates, e.g. `{ channel, ts }` for Slack. */
    ref: jsonb('ref').$type<Record<string, string>>(),
    sent: integer('sent').notNull().default(0),
    lastAction: text('last_action'),
    lastError: text('last_error'),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.channelId] })],
);
