/**
 * Patchbay's own operational event types. They exist in every environment, cannot be changed
 * through the API and are published by Patchbay itself (never by `POST /events`).
 */
import type { JsonSchema } from './schema.ts';
import { ALERT_EVENT_TYPES } from '../../alerts/event-types.ts';

export interface BuiltInEventType {
  name: string;
  description: string;
  schemaVersion: number;
  schema: JsonSchema;
  example: Record<string, unknown>;
}

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const object = (properties: Record<string, unknown>, required: string[]): JsonSchema => ({ type: 'object', properties, required, additionalProperties: true });

const integer = { type: 'integer' } as const;
// What src/connections publishes (eventData): the connection and its status, plus a few extras.
const connectionFields = { connectionId: str, integrationId: str, connectorKey: str, endCustomerId: nullableStr, status: str, statusReason: nullableStr };
const connection = (extra: Record<string, unknown> = {}) => object({ ...connectionFields, ...extra }, ['connectionId', 'integrationId', 'connectorKey', 'status']);
const connectionExample = { connectionId: 'conn_01hx', integrationId: 'int_01hx', connectorKey: 'hubspot', endCustomerId: 'cust_42', status: 'connected', statusReason: null };
// What src/syncs publishes at the end of a run.
const run = (extra: Record<string, unknown> = {}) =>
  object({ syncId: str, runId: str, connectionId: str, model: str, trigger: str, full: { type: 'boolean' }, added: integer, updated: integer, deleted: integer, pages: integer, providerCalls: integer, ...extra }, ['syncId', 'runId', 'connectionId', 'model']);
const runExample = { syncId: 'sync_01hx', runId: 'run_01hx', connectionId: 'conn_01hx', model: 'contacts', trigger: 'schedule', full: false, added: 12, updated: 3, deleted: 0, pages: 2, providerCalls: 2 };

export const BUILT_IN_EVENT_TYPES: readonly BuiltInEventType[] = [
  {
    name: 'connection.created',
    description: 'An end customer linked an account.',
    schemaVersion: 1,
    schema: connection({ credentialType: str }),
    example: { ...connectionExample, credentialType: 'oauth2' },
  },
  {
    name: 'connection.refresh_failed',
    description: "A connection's credentials could not be refreshed; it needs the end customer.",
    schemaVersion: 1,
    schema: connection({ message: str }),
    example: { ...connectionExample, status: 'error', statusReason: 'refresh_failed', message: 'invalid_grant' },
  },
  {
    name: 'connection.recovered',
    description: 'A connection that was in error works again.',
    schemaVersion: 1,
    schema: connection({ previousStatus: str, previousReason: nullableStr, reauthorized: { type: 'boolean' } }),
    example: { ...connectionExample, previousStatus: 'error', previousReason: 'refresh_failed' },
  },
  {
    name: 'connection.deleted',
    description: 'A connection was removed.',
    schemaVersion: 1,
    schema: connection({ reason: str }),
    example: { ...connectionExample, status: 'disconnected', reason: 'deleted through the API' },
  },
  {
    name: 'sync.completed',
    description: 'A sync run finished.',
    schemaVersion: 1,
    schema: run(),
    example: runExample,
  },
  {
    name: 'sync.failed',
    description: 'A sync run failed.',
    schemaVersion: 1,
    schema: run({ error: object({ code: str, message: str, page: { type: ['integer', 'null'] } }, ['message']) }),
    example: { ...runExample, added: 0, error: { code: 'provider_error', message: 'provider answered 503', page: 3 } },
  },
  {
    name: 'sync.rolled_back',
    description: 'A sync run was rolled back: its changes undone, its checkpoint restored.',
    schemaVersion: 1,
    schema: object({ syncId: str, runId: str, rollbackRunId: str, connectionId: str, model: str, removed: integer, restored: integer }, ['syncId', 'runId', 'rollbackRunId']),
    example: { syncId: 'sync_01hx', runId: 'run_01hx', rollbackRunId: 'run_01hy', connectionId: 'conn_01hx', model: 'contacts', removed: 12, restored: 3 },
  },
  {
    name: 'endpoint.disabled',
    description: 'An endpoint was disabled: it answered 410 Gone, or only failed for too long.',
    schemaVersion: 1,
    schema: object({ endpointId: str, url: str, reason: str, failingSince: nullableStr }, ['endpointId', 'reason']),
    example: { endpointId: 'ep_01hx', url: 'https://example.com/hooks', reason: 'only failures since 2026-01-01T00:00:00.000Z', failingSince: '2026-01-01T00:00:00.000Z' },
  },
  {
    name: 'message.attempt.exhausted',
    description: 'A message failed its last attempt at an endpoint and is now a dead letter.',
    schemaVersion: 1,
    schema: object({ messageId: str, endpointId: str, eventType: str, attempts: { type: 'integer' }, lastStatusCode: { type: ['integer', 'null'] }, lastError: nullableStr }, ['messageId', 'endpointId']),
    example: { messageId: 'msg_01hx', endpointId: 'ep_01hx', eventType: 'order.created', attempts: 8, lastStatusCode: 500, lastError: 'HTTP 500' },
  },
  {
    name: 'webhook.test',
    description: 'A test message sent to one endpoint from the API, the CLI or the dashboard.',
    schemaVersion: 1,
    schema: object({ message: str }, []),
    example: { message: 'Hello from Patchbay' },
  },
  // Published by src/alerts at every change of an alert.
  ...ALERT_EVENT_TYPES,
];

const byName = new Map(BUILT_IN_EVENT_TYPES.map((t) => [t.name, t]));

export const builtInEventType = (name: string): BuiltInEventType | undefined => byName.get(name);

/** Types Patchbay publishes about delivery itself; an exhausted message of these emits nothing more. */
export const DELIVERY_EVENT_TYPES: ReadonlySet<string> = new Set(['message.attempt.exhausted', 'endpoint.disabled']);
