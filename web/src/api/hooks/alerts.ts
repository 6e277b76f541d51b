/** Alerts with their lifecycle, alert rules, notification channels, and connection health. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type AlertFilters = NonNullable<paths['/api/v1/alerts']['get']['parameters']['query']>;
export type AlertStatusFilter = NonNullable<AlertFilters['status']>;
export type AlertSeverity = NonNullable<AlertFilters['severity']>;
export const ALERT_STATUSES: readonly AlertStatusFilter[] = ['unresolved', 'open', 'acknowledged', 'snoozed', 'resolved'];
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['critical', 'warning', 'info'];
export type ChannelFilters = NonNullable<paths['/api/v1/notification-channels']['get']['parameters']['query']>;

const fetchAlerts = (filters: AlertFilters) => unwrap(api.GET('/api/v1/alerts', { params: { query: filters } }));
const fetchAlert = (id: string) => unwrap(api.GET('/api/v1/alerts/{id}', { params: { path: { id } } }));
const fetchRules = () => unwrap(api.GET('/api/v1/alert-rules'));
const fetchChannels = (filters: ChannelFilters) => unwrap(api.GET('/api/v1/notification-channels', { params: { query: filters } }));
const fetchHealth = (id: string) => unwrap(api.GET('/api/v1/connections/{id}/health', { params: { path: { id } } }));
export type Alert = Awaited<ReturnType<typeof fetchAlerts>>['data'][number];
export type AlertDetail = Awaited<ReturnType<typeof fetchAlert>>;
export type AlertRule = Awaited<ReturnType<typeof fetchRules>>['data'][number];
export type NotificationChannel = Awaited<ReturnType<typeof fetchChannels>>['data'][number];
export type ConnectionHealth = Awaited<ReturnType<typeof fetchHealth>>;

export const alertsQuery = (env: string, filters: AlertFilters) => queryOptions({ queryKey: queryKeys.alerts(env, filters), queryFn: () => fetchAlerts(filters) });
export const alertRulesQuery = (env: string) => queryOptions({ queryKey: queryKeys.alertRules(env), queryFn: fetchRules });
export const channelsQuery = (env: string, filters: ChannelFilters) => queryOptions({ queryKey: queryKeys.notificationChannels(env, filters), queryFn: () => fetchChannels(filters) });

export const useAlerts = (filters: AlertFilters) => useQuery(alertsQuery(useEnvironment(), filters));
/** One alert with its timeline, fetched when opened. */
export const useAlert = (id: string, enabled: boolean) => useQuery({ queryKey: queryKeys.alert(useEnvironment(), id), queryFn: () => fetchAlert(id), enabled });
export const useAlertRules = () => useQuery(alertRulesQuery(useEnvironment()));
export const useChannels = (filters: ChannelFilters) => useQuery(channelsQuery(useEnvironment(), filters));
/** A connection's health, refreshed every minute (checks run about that often). */
export const useConnectionHealth = (id: string) => useQuery({ queryKey: queryKeys.connectionHealth(useEnvironment(), id), queryFn: () => fetchHealth(id), refetchInterval: 60_000 });

export type AlertAction = 'acknowledge' | 'resolve' | 'snooze';

/** Acknowledge, resolve or snooze (for `minutes`) an alert. */
export function useAlertAction() {
  return useHubMutation({
    mutationFn: ({ id, action, minutes }: { id: string; action: AlertAction; minutes?: number }) => {
      const params = { params: { path: { id } } };
      if (action === 'acknowledge') return unwrap(api.POST('/api/v1/alerts/{id}/acknowledge', { ...params, body: {} }));
      if (action === 'resolve') return unwrap(api.POST('/api/v1/alerts/{id}/resolve', { ...params, body: {} }));
      return unwrap(api.POST('/api/v1/alerts/{id}/snooze', { ...params, body: { minutes: minutes ?? 60 } }));
    },
    // The refreshed list may drop the alert (resolved) and unmount the caller: the helper's
    // callbacks still run, so its toast comes when the list already shows the change.
    invalidates: (env) => [[env, 'alerts']],
  });
}

/** A refused test changes the channel's state too (failing): its list is refreshed either way. */
export const useTestChannel = () =>
  useHubMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/notification-channels/{id}/test', { params: { path: { id } } })),
    invalidates: (env) => [[env, 'notification-channels']],
  });

export const useUpdateRule = () =>
  useHubMutation({
    mutationFn: ({ rule, enabled }: { rule: string; enabled: boolean }) => unwrap(api.PATCH('/api/v1/alert-rules/{rule}', { params: { path: { rule } }, body: { enabled } })),
    invalidates: (env) => [queryKeys.alertRules(env)],
  });
