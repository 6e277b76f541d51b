/** Answer shapes shared by the outbound routes: schemas for the OpenAPI document and the mappers. */
import { Type } from 'typebox';
import {
  dataOf,
  maskHeaders,
  type AttemptRow,
  type DeliveryRow,
  type EndpointRow,
  type EventTypeView as EventTypeModel,
  type MessageRow,
  type PublishedMessage,
} from '../../../webhooks/outbound/index.ts';
import { iso, NullableTimestamp, Timestamp } from '../../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const AnyJson = (description: string) => Type.Unknown({ description });

export const SignatureTypeSchema = Type.Union([Type.Literal('v1'), Type.Literal('v1a')], { description: '`v1` HMAC-SHA256 (whsec_) or `v1a` ed25519 (whsk_/whpk_)' });

export const RetryConfigSchema = Type.Object(
  {
    backoffStrategy: Type.Union([Type.Literal('default'), Type.Literal('linear'), Type.Literal('exponential'), Type.Literal('explicit')], {
      description: '`default`: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (±20 %)',
    }),
    maxRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 50, description: 'Retries after the first attempt' })),
    retryDelay: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400, description: 'Seconds: linear n·retryDelay, exponential retryDelay·2^(n-1)' })),
    schedule: Type.Optional(Type.Array(Type.Number({ minimum: 0, maximum: 86_400 }), { minItems: 1, maxItems: 50, description: 'Explicit delays in seconds, one per retry' })),
    jitter: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: '±fraction of random spread (0.2 by default)' })),
  },
  { additionalProperties: false },
);

export const EventTypeSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  schemaVersion: Type.Integer(),
  schema: AnyJson('JSON Schema of `data` for the current version, or null (any object)'),
  example: AnyJson('An example `data`'),
  builtIn: Type.Boolean(),
  archived: Type.Boolean(),
  createdAt: NullableTimestamp,
  updatedAt: NullableTimestamp,
});
export const eventTypeView = (t: EventTypeModel) => ({ ...t, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) });

export const EndpointSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  eventTypes: Nullable(Type.Array(Type.String())),
  channels: Nullable(Type.Array(Type.String())),
  filter: AnyJson('Payload filter over `data` (MongoDB-style subset), or null'),
  headers: Type.Record(Type.String(), Type.String(), { description: 'Custom headers; values of credential-like names are masked' }),
  signatureType: SignatureTypeSchema,
  timeoutMs: Type.Integer(),
  rateLimit: Nullable(Type.Integer()),
  maxConcurrency: Type.Integer(),
  fifo: Type.Boolean(),
  retryConfig: RetryConfigSchema,
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  disabledAt: NullableTimestamp,
  restHook: Type.Boolean({ description: 'Made by an automation platform through the REST Hooks API (`/hooks`)' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const endpointView = (e: EndpointRow) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  eventTypes: e.eventTypes,
  channels: e.channels,
  filter: e.filter,
  headers: maskHeaders(e.headers),
  signatureType: e.signatureType,
  timeoutMs: e.timeoutMs,
  rateLimit: e.rateLimit,
  maxConcurrency: e.maxConcurrency,
  fifo: e.fifo,
  retryConfig: e.retryConfig,
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  disabledAt: iso(e.disabledAt),
  restHook: e.restHook,
  createdAt: iso(e.createdAt)!,
  updatedAt: iso(e.updatedAt)!,
});

export const MessageSchema = Type.Object({
  id: Type.String({ description: 'The message id: `webhook-id` of every attempt' }),
  eventId: Nullable(Type.String({ description: "The publisher's eventId" })),
  type: Type.String(),
  schemaVersion: Type.Integer(),
  occurredAt: Timestamp,
  channels: Type.Array(Type.String()),
  data: AnyJson('The event data; null once retention pruned it'),
  createdAt: Timestamp,
});
/** A just-published message (publishing knows its data without reading the payload back). */
export const publishedView = (m: PublishedMessage) => ({
  id: m.id,
  eventId: m.externalId,
  type: m.eventType,
  schemaVersion: m.schemaVersion,
  occurredAt: iso(m.occurredAt)!,
  channels: m.channels,
  data: m.data,
  createdAt: iso(m.createdAt)!,
});

/** A stored message: the same shape, its data read back from the payload (null once pruned). */
export const messageView = (m: MessageRow) => publishedView({ ...m, data: dataOf(m) });

export const DeliverySchema = Type.Object({
  messageId: Type.String(),
  endpointId: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivering'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  trigger: Type.String(),
  nextAttemptAt: NullableTimestamp,
  lastAttemptAt: NullableTimestamp,
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  updatedAt: Timestamp,
});
export const deliveryView = (d: DeliveryRow) => ({
  messageId: d.messageId,
  endpointId: d.endpointId,
  state: d.state,
  attempts: d.attempts,
  trigger: d.trigger,
  nextAttemptAt: iso(d.nextAttemptAt),
  lastAttemptAt: iso(d.lastAttemptAt),
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  updatedAt: iso(d.updatedAt)!,
});

export const AttemptSchema = Type.Object({
  id: Type.String(),
  messageId: Type.String(),
  endpointId: Type.String(),
  attempt: Type.Integer(),
  trigger: Type.String(),
  startedAt: Timestamp,
  durationMs: Type.Integer(),
  succeeded: Type.Boolean(),
  statusCode: Nullable(Type.Integer()),
  responseHeaders: Nullable(Type.Record(Type.String(), Type.String())),
  responseBody: Nullable(Type.String({ description: 'First 4 KiB; null once pruned' })),
  errorClass: Nullable(Type.String({ description: 'http_status, redirect, gone, timeout, connection, tls, ssrf, circuit_open, internal' })),
  error: Nullable(Type.String()),
  nextAttemptAt: NullableTimestamp,
});
export const attemptView = (a: AttemptRow) => ({
  id: a.id,
  messageId: a.messageId,
  endpointId: a.endpointId,
  attempt: a.attempt,
  trigger: a.trigger,
  startedAt: iso(a.startedAt)!,
  durationMs: a.durationMs,
  succeeded: a.succeeded,
  statusCode: a.statusCode,
  responseHeaders: a.responseHeaders,
  responseBody: a.responseBody,
  errorClass: a.errorClass,
  error: a.error,
  nextAttemptAt: iso(a.nextAttemptAt),
});

/** `?since=` style instants. */
export const Instant = (description: string) => Type.String({ format: 'date-time', description });
export const date = (value: string | undefined): Date | undefined => (value === undefined ? undefined : new Date(value));
