export { registerOutbound, type Outbound, type RegisterOutboundOptions } from './outbound.ts';
export { DEFAULT_SETTINGS, type OutboundSettings, type BreakerSettings, type LoopGuard } from './settings.ts';
export type { Scope } from './scope.ts';
export { BUILT_IN_EVENT_TYPES, type BuiltInEventType } from './builtin-types.ts';
export {
  builtInViews,
  createEventType,
  getEventType,
  listEventTypes,
  updateEventType,
  viewOf as eventTypeView,
  EVENT_TYPE_NAME,
  type EventTypeInput,
  type EventTypeView,
} from './event-types.ts';
export {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  maskHeaders,
  openSigningKeys,
  revealSecret,
  rotateSecret,
  updateEndpoint,
  DEFAULT_GRACE_HOURS,
  type EndpointInput,
  type EndpointPatch,
  type RotateInput,
} from './endpoints.ts';
export { filterErrors, isAnchoredPrefix, type PayloadFilter } from './filter.ts';
export { publishEvents, MAX_BATCH, type EventInput, type Published, type PublishedMessage } from './publish.ts';
export { dataOf, deliveriesOf, getAttempt, getMessage, listAttempts, listDeadLetters, listMessages, type DeadLetter, type DeadLetterFilter, type MessageFilter } from './messages.ts';
export { endpointStats, recover, resend, retryDeadLetters, sendTestEvent, deliveriesFor, type EndpointStats } from './operations.ts';
export { DEFAULT_SCHEDULE_MS, DEFAULT_RETRY_CONFIG, nextDelay, parseRetryAfter, maxRetries } from './retry.ts';
export { activeKeys, generateSigningKey, signWith, webhookHeaders, type SigningKey, type SigningKeys } from './signing.ts';
export type { Envelope } from './fanout.ts';
export type { PruneReport } from './maintenance.ts';
export type { Stream, StreamMessage, StreamOptions } from './stream.ts';
export { DISPATCH_JOB, SWEEP_JOB, PRUNE_JOB } from './jobs.ts';
export {
  attempts,
  deliveries,
  endpoints,
  endpointState,
  eventTypes,
  messages,
  DELIVERY_STATES,
  type AttemptRow,
  type BackoffStrategy,
  type DeliveryRow,
  type DeliveryState,
  type EndpointKind,
  type EndpointRow,
  type ErrorClass,
  type EventTypeRow,
  type MessageRow,
  type RetryConfig,
  type SignatureType,
} from './schema.ts';
export { listen, parseEventStream, ListenError, type ListenOptions, type ListenReady, type ListenSession, type ForwardResult } from './listen-client.ts';
