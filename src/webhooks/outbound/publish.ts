/**
 * Publishing through the API: check every event (known type, `data` against the type's current
 * schema), then store them all in one transaction — the events, their messages and deliveries
 * (the fan-out runs inside `publishMany`) and the dispatch jobs. All or nothing.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { problems, type Clock, type FieldError } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { publishMany, type PublishInput } from '../../events/index.ts';
import { resolveEventTypes, toFieldErrors } from './event-types.ts';
import { dispatchedIn, handOverAfterCommit, messagesMadeIn } from './fanout.ts';
import type { Dispatched } from './jobs.ts';
import { dataOf } from './messages.ts';
import { messages, type MessageRow } from './schema.ts';
import type { Scope } from './scope.ts';

export const MAX_BATCH = 1_000;

export interface EventInput {
  type: string;
  data: Record<string, unknown>;
  /** The publisher's idempotency id: a repeat returns the first message. */
  eventId?: string | undefined;
  occurredAt?: Date | undefined;
  channels?: string[] | undefined;
}

/** A published message as the API shows it. */
export interface PublishedMessage {
  id: string;
  externalId: string | null;
  eventType: string;
  schemaVersion: number;
  occurredAt: Date;
  channels: string[];
  data: Record<string, unknown> | null;
  createdAt: Date;
}

export interface Published {
  message: PublishedMessage;
  /** False when `eventId` was seen before: `message` is the first one. */
  created: boolean;
}

const fromMessage = (m: MessageRow): PublishedMessage => ({
  id: m.id,
  externalId: m.externalId,
  eventType: m.eventType,
  schemaVersion: m.schemaVersion,
  occurredAt: m.occurredAt,
  channels: m.channels,
  data: dataOf(m),
  createdAt: m.createdAt,
});

export interface PublishOptions {
  /** `api` for the public API; built-in types are refused there. */
  origin?: string;
  /** How failing fields are named: `''` for one event, `/events/<i>` for a batch. */
  fieldPrefix?: (index: number) => string;
  /** After the commit, with the endpoints given work (outbound wakes its runs in this process). */
  onCommitted?: (dispatched: Dispatched[]) => void;
}

/** Checks and publishes events of one environment; a 422 lists every failing field. */
export async function publishEvents(db: Db, clock: Clock, scope: Scope, inputs: readonly EventInput[], options: PublishOptions = {}): Promise<Published[]> {
  if (inputs.length === 0) return [];
  const origin = options.origin ?? 'api';
  const prefix = options.fieldPrefix ?? ((i: number) => (inputs.length === 1 ? '' : `/events/${i}`));
  const types = await resolveEventTypes(db, scope, inputs.map((e) => e.type));
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, i) => {
    const type = types.get(input.type);
    if (!type) errors.push({ field: `${prefix(i)}/type`, message: `${input.type} is not an event type of this environment (create it first)` });
    else if (type.builtIn && origin === 'api') errors.push({ field: `${prefix(i)}/type`, message: `${input.type} is a built-in type; Patchbay publishes it` });
    else if (type.validate && !type.validate(input.data)) errors.push(...toFieldErrors(type.validate.errors ?? [], `${prefix(i)}/data`));
    if (input.eventId !== undefined) {
      const first = seen.get(input.eventId);
      if (first !== undefined && inputs[first]!.type !== input.type) errors.push({ field: `${prefix(i)}/eventId`, message: `repeats the eventId of event ${first} with another type` });
      seen.set(input.eventId, i);
    }
  });
  if (errors.length > 0) throw problems.unprocessable('Some events do not match their event type.', errors);

  const now = clock.now();
  const rows: PublishInput[] = inputs.map((input) => ({
    ...scope,
    type: input.type,
    data: input.data,
    externalId: input.eventId,
    occurredAt: input.occurredAt ?? now,
    channels: input.channels ?? [],
    schemaVersion: types.get(input.type)!.schemaVersion,
    origin,
  }));
  let dispatched: Dispatched[] = [];
  const published = await db.transaction(async (tx) => {
    if (options.onCommitted) handOverAfterCommit(tx);
    const results = await publishMany(tx, rows);
    dispatched = dispatchedIn(tx);
    const made = messagesMadeIn(tx);
    // A repeated eventId returns the message stored the first time.
    const repeated = [...new Set(results.filter((r) => !made.has(r.event.id)).map((r) => r.event.id))];
    const earlier =
      repeated.length === 0
        ? new Map<string, PublishedMessage>()
        : new Map(
            (
              await tx
                .select()
                .from(messages)
                .where(and(eq(messages.organizationId, scope.organizationId), eq(messages.environmentId, scope.environmentId), inArray(messages.eventId, repeated)))
            ).map((m) => [m.eventId, fromMessage(m)]),
          );
    return results.map(({ event, created }) => {
      const id = made.get(event.id);
      const message = id
        ? { id, externalId: event.externalId, eventType: event.type, schemaVersion: event.schemaVersion, occurredAt: event.occurredAt, channels: event.channels, data: event.data, createdAt: now }
        : earlier.get(event.id);
      if (!message) throw new Error(`event ${event.id} has no outbound message (is the outbound module registered?)`);
      return { message, created };
    });
  });
  if (dispatched.length > 0) options.onCommitted?.(dispatched);
  return published;
}
