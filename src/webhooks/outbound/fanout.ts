/**
 * The outbox fan-out: in the transaction that stores events, each event becomes a message (the
 * exact envelope that will be signed and sent) and one pending delivery per matching endpoint,
 * and each endpoint that got work gets a dispatch job (deduplicated by key) — or, for a
 * `patchbay listen` stream, a NOTIFY. Nothing is sent until that transaction commits.
 */
import { and, eq, sql } from 'drizzle-orm';
import { newId, type Clock } from '../../core/index.ts';
import { rows, type Db } from '../../db/index.ts';
import type { Event } from '../../events/index.ts';
import { environments } from '../../auth/schema.ts';
import { enqueueMany, type JobSpec } from '../../queue/index.ts';
import { compileFilter } from './filter.ts';
import { dispatchJob, STREAM_CHANNEL, type DispatchPayload, type Dispatched } from './jobs.ts';
import { endpoints, type EndpointRow } from './schema.ts';

/** What a receiver gets: the body of every attempt, byte for byte. */
export interface Envelope {
  id: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  data: Record<string, unknown>;
  organizationId: string;
  environment: string;
}

// Message ids made in a transaction, by event id, and the dispatch jobs queued, for the publisher
// that asked (publish.ts).
const madeIn = new WeakMap<Db, Map<string, string>>();
const dispatchedIn = new WeakMap<Db, Dispatched[]>();

/** The messages the fan-out made in this transaction so far, by event id. */
export function messagesMadeIn(tx: Db): Map<string, string> {
  return madeIn.get(tx) ?? new Map();
}

/** The dispatch jobs the fan-out queued in this transaction so far. */
export function jobsQueuedIn(tx: Db): Dispatched[] {
  return dispatchedIn.get(tx) ?? [];
}

/** Test events carry `test:<endpointId>` as their origin: they go to that endpoint only. */
export const TEST_ORIGIN = 'test:';

type Matcher = (event: Event) => boolean;
const matchers = new Map<string, { updatedAt: number; match: Matcher }>();

function matcherOf(endpoint: EndpointRow): Matcher {
  const cached = matchers.get(endpoint.id);
  if (cached && cached.updatedAt === endpoint.updatedAt.getTime()) return cached.match;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const name of endpoint.eventTypes ?? []) {
    if (name.endsWith('.*')) prefixes.push(name.slice(0, -1));
    else exact.add(name);
  }
  const anyType = endpoint.eventTypes === null;
  const channels = endpoint.channels ? new Set(endpoint.channels) : null;
  const filter = endpoint.filter ? compileFilter(endpoint.filter) : null;
  const match: Matcher = (event) =>
    (anyType || exact.has(event.type) || prefixes.some((p) => event.type.startsWith(p))) &&
    (!channels || event.channels.some((c) => channels.has(c))) &&
    (!filter || filter(event.data));
  if (matchers.size > 10_000) matchers.clear();
  matchers.set(endpoint.id, { updatedAt: endpoint.updatedAt.getTime(), match });
  return match;
}

// Environment names never change; the envelope names the environment.
const environmentNames = new Map<string, string>();

async function environmentName(tx: Db, id: string): Promise<string> {
  let name = environmentNames.get(id);
  if (name === undefined) {
    const [env] = await tx.select({ name: environments.name }).from(environments).where(eq(environments.id, id));
    name = env?.name ?? id;
    environmentNames.set(id, name);
  }
  return name;
}

interface DeliveryRow {
  message_id: string;
  endpoint_id: string;
  fifo: boolean;
  organization_id: string;
  environment_id: string;
  trigger: string;
  next_attempt_at: string;
  created_at: string;
}

/** The `onEventsPublished` listener. */
export function createFanout(deps: { clock: Clock }) {
  return async function fanOut(tx: Db, published: Event[]): Promise<void> {
    const now = deps.clock.now().toISOString();
    const messageRows: Record<string, unknown>[] = [];
    const deliveryRows: DeliveryRow[] = [];
    const jobs: JobSpec[] = [];
    const streams = new Set<string>();
    let made = madeIn.get(tx);
    if (!made) madeIn.set(tx, (made = new Map()));

    const byEnvironment = new Map<string, Event[]>();
    for (const event of published) {
      const list = byEnvironment.get(event.environmentId) ?? [];
      list.push(event);
      byEnvironment.set(event.environmentId, list);
    }
    for (const [environmentId, batch] of byEnvironment) {
      const organizationId = batch[0]!.organizationId;
      const environment = await environmentName(tx, environmentId);
      const candidates = await tx
        .select()
        .from(endpoints)
        .where(and(eq(endpoints.organizationId, organizationId), eq(endpoints.environmentId, environmentId), eq(endpoints.enabled, true)));
      const targets = new Set<EndpointRow>();
      for (const event of batch) {
        const messageId = newId('msg');
        made.set(event.id, messageId);
        const envelope: Envelope = {
          id: messageId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          occurredAt: event.occurredAt.toISOString(),
          data: event.data,
          organizationId,
          environment,
        };
        messageRows.push({
          id: messageId,
          organization_id: organizationId,
          environment_id: environmentId,
          event_id: event.id,
          external_id: event.externalId,
          event_type: event.type,
          schema_version: event.schemaVersion,
          channels: event.channels,
          payload: JSON.stringify(envelope),
          occurred_at: envelope.occurredAt,
          created_at: now,
        });
        const testTarget = event.origin.startsWith(TEST_ORIGIN) ? event.origin.slice(TEST_ORIGIN.length) : undefined;
        for (const endpoint of candidates) {
          if (testTarget ? endpoint.id !== testTarget : !matcherOf(endpoint)(event)) continue;
          targets.add(endpoint);
          deliveryRows.push({
            message_id: messageId,
            endpoint_id: endpoint.id,
            fifo: endpoint.fifo,
            organization_id: organizationId,
            environment_id: environmentId,
            trigger: testTarget ? 'test' : 'event',
            next_attempt_at: now,
            created_at: now,
          });
        }
      }
      for (const endpoint of targets) {
        if (endpoint.kind === 'stream') streams.add(endpoint.id);
        else jobs.push(dispatchJob(endpoint, undefined, { unkeyed: true }));
      }
    }

    // Messages and their deliveries in one statement (one round trip in the publisher's transaction).
    await tx.execute(sql`with m as (
        insert into outbound_messages (id, organization_id, environment_id, event_id, external_id, event_type, schema_version, channels, payload, occurred_at, created_at)
        select * from jsonb_to_recordset(${JSON.stringify(messageRows)}::jsonb) as m(id text, organization_id text, environment_id text, event_id text,
          external_id text, event_type text, schema_version int, channels jsonb, payload text, occurred_at timestamptz, created_at timestamptz)
      ), d as (
        insert into outbound_deliveries (message_id, endpoint_id, fifo, organization_id, environment_id, state, trigger, next_attempt_at, created_at, updated_at)
        select d.message_id, d.endpoint_id, d.fifo, d.organization_id, d.environment_id, 'pending', d.trigger, d.next_attempt_at, d.created_at, d.created_at
        from jsonb_to_recordset(${JSON.stringify(deliveryRows)}::jsonb) as d(message_id text, endpoint_id text, fifo boolean, organization_id text,
          environment_id text, trigger text, next_attempt_at timestamptz, created_at timestamptz)
      ) select 1`);
    if (deliveryRows.length === 0) return;
    if (jobs.length > 0) {
      const queued = await enqueueMany(tx, jobs, { clock: deps.clock });
      let list = dispatchedIn.get(tx);
      if (!list) dispatchedIn.set(tx, (list = []));
      for (const job of queued) list.push({ endpointId: (job.payload as DispatchPayload).endpointId, jobId: job.id });
    }
    if (streams.size > 0) await rows(tx, sql`select pg_notify(${STREAM_CHANNEL}, id) from jsonb_array_elements_text(${JSON.stringify([...streams])}::jsonb) as id`);
  };
}
