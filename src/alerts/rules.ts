/**
 * Alert rules: each is on by default with thresholds a team would start from; an environment
 * changes any of them (alert_rules holds only what it changed). Per rule: severity, parameters,
 * which channels, the minimum severity a channel is sent, the repeat interval for an alert still
 * open, and quiet hours.
 */
import { and, eq } from 'drizzle-orm';
import { newId, problems, type FieldError } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { alertRules, type QuietHours, type Severity } from './schema.ts';

export interface RuleDefinition {
  description: string;
  severity: Severity;
  /** Numeric parameters and their defaults. */
  params: Record<string, number>;
  repeatMinutes: number;
}

export const RULES = {
  connection_unhealthy: {
    description: 'A connection failed its health checks several times in a row, or its provider refused its credentials.',
    severity: 'critical',
    params: {},
    repeatMinutes: 60,
  },
  token_refresh_failed: {
    description: "A connection's OAuth token could not be refreshed; the end customer must reconnect.",
    severity: 'critical',
    params: {},
    repeatMinutes: 240,
  },
  endpoint_disabled: {
    description: 'An outbound endpoint was disabled (410 Gone, or only failures for too long).',
    severity: 'warning',
    params: {},
    repeatMinutes: 1_440,
  },
  endpoint_failing: {
    description: "An endpoint's success rate fell below a threshold over a window (with enough attempts to judge).",
    severity: 'warning',
    params: { successRatePercent: 90, windowMinutes: 15, minAttempts: 10 },
    repeatMinutes: 240,
  },
  sync_failed: {
    description: 'A sync failed several runs in a row.',
    severity: 'warning',
    params: { consecutiveFailures: 3 },
    repeatMinutes: 1_440,
  },
  dead_jobs: {
    description: 'More background jobs than a threshold ran out of attempts (`failed` jobs) in the environment.',
    severity: 'warning',
    params: { above: 10 },
    repeatMinutes: 1_440,
  },
  inbound_failing: {
    description: 'Inbound webhook events failed processing above a threshold over a window.',
    severity: 'warning',
    params: { failedAbove: 10, windowMinutes: 60 },
    repeatMinutes: 240,
  },
  quota_usage: {
    description: "A connection used more than a share of its provider's rate limit (the manifest's or the integration's) in the current window.",
    severity: 'warning',
    params: { abovePercent: 80 },
    repeatMinutes: 240,
  },
  health_thresholds: {
    description: "A connected connection's health checks over a window breach its integration's thresholds (p95 response time, error rate, availability).",
    severity: 'warning',
    params: { windowMinutes: 60, minChecks: 5 },
    repeatMinutes: 240,
  },
  credential_rotation_overdue: {
    description: 'A secret is past the rotation date its policy sets.',
    severity: 'info',
    params: {},
    repeatMinutes: 10_080,
  },
} as const satisfies Record<string, RuleDefinition>;

export type RuleName = keyof typeof RULES;
export const RULE_NAMES = Object.keys(RULES) as RuleName[];
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const isRuleName = (value: string): value is RuleName => Object.hasOwn(RULES, value);

/** A rule as it applies in one environment. */
export interface EffectiveRule {
  rule: RuleName;
  description: string;
  enabled: boolean;
  severity: Severity;
  params: Record<string, number>;
  channelIds: string[] | null;
  minSeverity: Severity;
  repeatMinutes: number;
  quietHours: QuietHours | null;
  customized: boolean;
  updatedAt: Date | null;
}

type RuleRow = typeof alertRules.$inferSelect;

function effective(rule: RuleName, row: RuleRow | undefined): EffectiveRule {
  const definition: RuleDefinition = RULES[rule];
  return {
    rule,
    description: definition.description,
    enabled: row?.enabled ?? true,
    severity: row?.severity ?? definition.severity,
    params: { ...definition.params, ...(row?.params ?? {}) },
    channelIds: row?.channelIds ?? null,
    minSeverity: row?.minSeverity ?? 'info',
    repeatMinutes: row?.repeatMinutes ?? definition.repeatMinutes,
    quietHours: row?.quietHours ?? null,
    customized: Boolean(row),
    updatedAt: row?.updatedAt ?? null,
  };
}

export interface RuleScope {
  organizationId: string;
  environmentId: string;
}

export async function listRules(db: Db, scope: RuleScope): Promise<EffectiveRule[]> {
  const rows = await db.select().from(alertRules).where(eq(alertRules.environmentId, scope.environmentId));
  const byRule = new Map(rows.map((r) => [r.rule, r]));
  return RULE_NAMES.map((name) => effective(name, byRule.get(name)));
}

export async function getRule(db: Db, scope: RuleScope, rule: string): Promise<EffectiveRule> {
  if (!isRuleName(rule)) throw problems.notFound('Alert rule', rule);
  const [row] = await db.select().from(alertRules).where(and(eq(alertRules.environmentId, scope.environmentId), eq(alertRules.rule, rule)));
  return effective(rule, row);
}

export interface RulePatch {
  enabled?: boolean | undefined;
  severity?: Severity | undefined;
  params?: Record<string, number> | undefined;
  channelIds?: string[] | null | undefined;
  minSeverity?: Severity | undefined;
  repeatMinutes?: number | undefined;
  quietHours?: QuietHours | null | undefined;
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export async function updateRule(db: Db, scope: RuleScope, rule: string, patch: RulePatch, now: Date): Promise<EffectiveRule> {
  if (!isRuleName(rule)) throw problems.notFound('Alert rule', rule);
  const errors: FieldError[] = [];
  const known = RULES[rule].params as Record<string, number>;
  for (const [name, value] of Object.entries(patch.params ?? {})) {
    if (!Object.hasOwn(known, name)) errors.push({ field: `/params/${name}`, message: `is not a parameter of ${rule} (known: ${Object.keys(known).join(', ') || 'none'})` });
    else if (!(value >= 0)) errors.push({ field: `/params/${name}`, message: 'must be a number ≥ 0' });
  }
  if (patch.quietHours) {
    for (const key of ['start', 'end'] as const) if (!HH_MM.test(patch.quietHours[key])) errors.push({ field: `/quietHours/${key}`, message: 'must be a UTC time HH:MM' });
  }
  if (errors.length > 0) throw problems.validation(errors);
  const current = await getRule(db, scope, rule);
  const values = {
    ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
    ...(patch.severity === undefined ? {} : { severity: patch.severity }),
    ...(patch.params === undefined ? {} : { params: { ...(current.customized ? current.params : {}), ...patch.params } }),
    ...(patch.channelIds === undefined ? {} : { channelIds: patch.channelIds }),
    ...(patch.minSeverity === undefined ? {} : { minSeverity: patch.minSeverity }),
    ...(patch.repeatMinutes === undefined ? {} : { repeatMinutes: patch.repeatMinutes }),
    ...(patch.quietHours === undefined ? {} : { quietHours: patch.quietHours }),
  };
  await db
    .insert(alertRules)
    .values({ id: newId('arl'), ...scope, rule, ...values, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [alertRules.environmentId, alertRules.rule], set: { ...values, updatedAt: now } });
  return getRule(db, scope, rule);
}

/** The end of the quiet hours `now` falls in, or undefined outside them. */
export function quietUntil(quiet: QuietHours | null, now: Date): Date | undefined {
  if (!quiet) return undefined;
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  const current = now.getUTCHours() * 60 + now.getUTCMinutes();
  const inside = start <= end ? current >= start && current < end : current >= start || current < end;
  if (!inside) return undefined;
  const until = new Date(now);
  until.setUTCHours(Math.floor(end / 60), end % 60, 0, 0);
  if (until <= now) until.setUTCDate(until.getUTCDate() + 1);
  return until;
}
