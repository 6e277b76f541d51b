/**
 * Operations: connection health checks, alert rules and the alert lifecycle, notification
 * channels (Slack, Microsoft Teams, PagerDuty, Opsgenie, email; outbound endpoints through the
 * `alert.*` events).
 */
export { createOperations, type Operations, type OperationsOptions } from './service.ts';
export { HEALTH_DEFAULTS, DEFAULT_THRESHOLDS, effectiveHealthSettings, readHealthSettings, updateHealthSettings, type HealthDefaults, type EffectiveHealthSettings, type HealthSettingsPatch } from './health/settings.ts';
export { planHealthChecks, pruneHealthChecks, HEALTH_CHECK_JOB, HEALTH_PLAN_JOB, PLAN_AHEAD_MS, checkKey } from './health/planner.ts';
export { runHealthCheck, healthDedupKey, UNHEALTHY_REASON, type CheckResult } from './health/check.ts';
export { healthWindows, recentChecks, healthStateOf, WINDOWS, type WindowStats, type WindowName } from './health/stats.ts';
export { RULES, RULE_NAMES, SEVERITIES, listRules, getRule, updateRule, isRuleName, quietUntil, type EffectiveRule, type RuleName, type RulePatch } from './rules.ts';
export { raiseAlert, resolveCause, resolveAlert, acknowledgeAlert, snoozeAlert, unresolvedAlert, alertEventData, actorName, type Alert, type RaiseInput } from './alerts.ts';
export { listAlerts, getAlert, alertTimelineOf, type AlertFilter } from './queries.ts';
export { notificationsOf, NOTIFY_JOB, type NotifyAction } from './notify-plan.ts';
export { evaluateAlerts, EVALUATE_JOB } from './evaluate.ts';
export { createChannel, updateChannel, deleteChannel, getChannel, listChannels, secretFieldsSet, type Channel, type ChannelInput } from './channels-store.ts';
export { CHANNEL_TYPES, SENDERS } from './channels/index.ts';
export { ALERT_EVENT_TYPES } from './event-types.ts';
export {
  alerts,
  alertRules,
  alertTimeline,
  alertNotifications,
  notificationChannels,
  healthChecks,
  healthStates,
  healthSettings,
  type Severity,
  type AlertStatus,
  type ChannelType,
  type CheckOutcome,
  type QuietHours,
  type HealthThresholds,
} from './schema.ts';
