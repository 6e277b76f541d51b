/** The `alert.*` events every change of an alert publishes (built-in event types of every environment). */
const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;

const schema = {
  type: 'object',
  properties: {
    alertId: str,
    rule: str,
    dedupKey: str,
    status: str,
    severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
    title: str,
    message: str,
    subjectType: nullableStr,
    subjectId: nullableStr,
    openedAt: str,
    acknowledgedBy: nullableStr,
    snoozedUntil: nullableStr,
    resolvedAt: nullableStr,
    resolvedBy: nullableStr,
  },
  required: ['alertId', 'rule', 'dedupKey', 'status', 'severity', 'title'],
  additionalProperties: true,
};

const example = {
  alertId: 'alr_01hx',
  rule: 'connection_unhealthy',
  dedupKey: 'connection_unhealthy:conn_01hx',
  status: 'open',
  severity: 'critical',
  title: 'Connection conn_01hx is unhealthy',
  message: '3 health checks in a row failed; the last: HubSpot had an error on its side (HTTP 503).',
  subjectType: 'connection',
  subjectId: 'conn_01hx',
  openedAt: '2026-01-01T03:00:00.000Z',
  acknowledgedBy: null,
  snoozedUntil: null,
  resolvedAt: null,
  resolvedBy: null,
};

const type = (name: string, description: string, status: string) => ({ name, description, schemaVersion: 1, schema, example: { ...example, status } });

export const ALERT_EVENT_TYPES = [
  type('alert.opened', 'An alert opened: a rule found a new cause (a connection failing its health checks, a disabled endpoint…).', 'open'),
  type('alert.acknowledged', 'Someone acknowledged an alert.', 'acknowledged'),
  type('alert.snoozed', 'Someone snoozed an alert until a time.', 'snoozed'),
  type('alert.reopened', "A snoozed alert's snooze ended while its cause remained.", 'open'),
  type('alert.resolved', 'An alert was resolved: its cause cleared, or someone resolved it.', 'resolved'),
];
