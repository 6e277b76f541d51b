/**
 * Every TanStack Query key of the dashboard, from one place. Environment-scoped keys start with
 * the environment, so switching it shows that environment's data and never another's.
 */
export const queryKeys = {
  me: () => ['me'] as const,
  organization: () => ['organization'] as const,
  environments: () => ['environments'] as const,
  auditLog: (filters: object) => ['audit-log', filters] as const,
  members: (filters: object) => ['members', filters] as const,
  apiKeys: (env: string, filters: object) => [env, 'api-keys', filters] as const,
  connectors: (filters: object) => ['connectors', filters] as const,
  connector: (key: string) => ['connectors', 'one', key] as const,
  integrations: (env: string, filters: object) => [env, 'integrations', filters] as const,
  integration: (env: string, id: string) => [env, 'integrations', 'one', id] as const,
  connections: (env: string, filters: object) => [env, 'connections', filters] as const,
  connection: (env: string, id: string) => [env, 'connections', 'one', id] as const,
  connectionSyncs: (env: string, id: string) => [env, 'connections', 'one', id, 'syncs'] as const,
  connectionActions: (env: string, id: string) => [env, 'connections', 'one', id, 'actions'] as const,
  connectionMetricTotals: (env: string, id: string, from: string) => [env, 'connections', 'one', id, 'metric-totals', from] as const,
  endpoints: (env: string, filters: object) => [env, 'endpoints', filters] as const,
  endpointStats: (env: string, id: string, since: string) => [env, 'endpoints', 'one', id, 'stats', since] as const,
  messages: (env: string, filters: object) => [env, 'messages', filters] as const,
  messageAttempts: (env: string, id: string) => [env, 'messages', 'one', id, 'attempts'] as const,
  inboundEvents: (env: string, filters: object) => [env, 'inbound-events', filters] as const,
  jobs: (env: string, filters: object) => [env, 'jobs', filters] as const,
  syncRuns: (env: string, filters: object) => [env, 'sync-runs', 'list', filters] as const,
  syncRun: (env: string, id: string) => [env, 'sync-runs', id] as const,
  records: (env: string, filters: object) => [env, 'records', filters] as const,
  record: (env: string, connectionId: string, model: string, externalId: string) => [env, 'records', 'one', connectionId, model, externalId] as const,
  conflicts: (env: string, filters: object) => [env, 'conflicts', filters] as const,
  mappings: (env: string, filters: object) => [env, 'mappings', filters] as const,
  mapping: (env: string, id: string) => [env, 'mappings', 'one', id] as const,
  endpoint: (env: string, id: string) => [env, 'endpoints', 'one', id] as const,
  attemptRequest: (env: string, messageId: string, attemptId: string) => [env, 'messages', 'one', messageId, 'attempts', attemptId, 'request'] as const,
  message: (env: string, id: string) => [env, 'messages', 'one', id] as const,
  deadLetters: (env: string, filters: object) => [env, 'dead-letters', filters] as const,
  eventTypes: (env: string, filters: object) => [env, 'event-types', filters] as const,
  sources: (env: string, filters: object) => [env, 'sources', filters] as const,
  inboundEvent: (env: string, id: string) => [env, 'inbound-events', 'one', id] as const,
  alerts: (env: string, filters: object) => [env, 'alerts', filters] as const,
  alert: (env: string, id: string) => [env, 'alerts', 'one', id] as const,
  alertRules: (env: string) => [env, 'alert-rules'] as const,
  notificationChannels: (env: string, filters: object) => [env, 'notification-channels', filters] as const,
  connectionHealth: (env: string, id: string) => [env, 'connections', 'one', id, 'health'] as const,
};

/** Everything scoped to one environment (to drop it after a switch or sign-out). */
export const environmentScope = (env: string) => [env] as const;
