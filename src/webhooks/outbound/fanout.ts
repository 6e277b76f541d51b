/**
 * The outbox fan-out: in the transaction that stores events, each event becomes a message (the
 * exact envelope that will be signed and sent) and one pending delivery per matching endpoint
 * (the environment's endpoints come from a cache that the insert itself checks, see
 * environment-endpoints.ts), and each endpoint that got work gets a dispatch job — or, for a
 * `patchbay listen` stream, a NOTIFY. Nothing is sent until that transaction commits.
 */
import { eq, sql } from 'drizzle-orm';
import { newId, type Clock } from '../../core/index.ts';
import { currentTraceContext, type TraceContext } from '../../core/tracing.ts';
import { rows, type Db } from '../../db/index.ts';
import type { Event } from '../../events/index.ts';
import { environments } from '../../auth/schema.ts';
import { enqueueMany, type JobSpec } from '../../queue/index.ts';
import { cachedEndpoints, endpointsVersion, readEndpoints, type EnvironmentEndpoints } from './environment-endpoints.ts';
import { dispatchJob, STREAM_CHANNEL, type DispatchPayload, type Dispatched } from './jobs.ts';
import type { EndpointRow } from './schema.ts';

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

// Message ids made in a transaction, by event id, and the endpoints given work, for the publisher
// that asked (publish.ts).
const madeIn = new WeakMap<Db, Map<string, string>>();
const dispatched = new WeakMap<Db, Dispatched[]>();
// Transactions whose publisher hands the endpoints to the dispatcher after the commit.
const handedOver = new WeakSet<Db>();

/**
 * The publisher of this transaction hands `dispatchedIn(tx)` to the dispatcher once it committed
 * (publish.ts): an endpoint whose run this process holds then needs no dispatch job.
 */
export function handOverAfterCommit(tx: Db): void {
  handedOver.add(tx);
}

/** The messages the fan-out made in this transaction so far, by event id. */
export function messagesMadeIn(tx: Db): Map<string, string> {
  return madeIn.get(tx) ?? new Map();
}

/** The endpoints the fan-out gave work in this transaction so far, with the dispatch jobs it queued. */
export function dispatchedIn(tx: Db): Dispatched[] {
  return dispatched.get(tx) ?? [];
}

/** Test events carry `test:<endpointId>` as their origin: they go to that endpoint only. */
export const TEST_ORIGIN = 'test:';

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

interface MessageRow {
  id: string;
  organization_id: string;
  environment_id: string;
  event_id: string;
  external_id: string | null;
  event_type: string;
  schema_version: number;
  channels: string[];
  payload: string;
  occurred_at: string;
  created_at: string;
  trace_context: TraceContext | null;
}

/** What one environment's events become: rows to insert, endpoints to wake. */
interface Plan {
  messageIds: Map<string, string>;
  messageRows: MessageRow[];
  deliveryRows: DeliveryRow[];
  targets: Set<EndpointRow>;
}

function plan(batch: Event[], candidates: EnvironmentEndpoints, environment: string, now: string): Plan {
  // The publish's trace (a request, a job), for the deliveries' attempts to join; null with tracing off.
  const traceContext = currentTraceContext();
  const organizationId = batch[0]!.organizationId;
  const environmentId = batch[0]!.environmentId;
  const result: Plan = { messageIds: new Map(), messageRows: [], deliveryRows: [], targets: new Set() };
  for (const event of batch) {
    const messageId = newId('msg');
    result.messageIds.set(event.id, messageId);
    const envelope: Envelope = {
      id: messageId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      occurredAt: event.occurredAt.toISOString(),
      data: event.data,
      organizationId,
      environment,
    };
    result.messageRows.push({
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
      trace_context: traceContext,
    });
    const testTarget = event.origin.startsWith(TEST_ORIGIN) ? event.origin.slice(TEST_ORIGIN.length) : undefined;
    for (const { endpoint, match } of candidates.endpoints) {
      if (testTarget ? endpoint.id !== testTarget : !match(event)) continue;
      result.targets.add(endpoint);
      result.deliveryRows.push({
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
  return result;
}

/**
 * Messages and their deliveries in one statement (one round trip in the publisher's
 * transaction), written only if the environment's endpoints are still those of `version`.
 * Returns false, having written nothing, when they changed.
 */
async function insertChecked(tx: Db, organizationId: string, environmentId: string, version: string, planned: Plan): Promise<boolean> {
  const [row] = await rows<{ unchanged: boolean }>(
    tx,
    sql`with checked as (select ${endpointsVersion(organizationId, environmentId)} = ${version} as unchanged),
      m as (
        insert into outbound_messages (id, organization_id, environment_id, event_id, external_id, event_type, schema_version, channels, payload, occurred_at, created_at, trace_context)
        select * from jsonb_to_recordset(${JSON.stringify(planned.messageRows)}::jsonb) as m(id text, organization_id text, environment_id text, event_id text,
          external_id text, event_type text, schema_version int, channels jsonb, payload text, occurred_at timestamptz, created_at timestamptz, trace_context jsonb)
        where (select unchanged from checked)
      ), d as (
        insert into outbound_deliveries (message_id, endpoint_id, fifo, organization_id, environment_id, state, trigger, next_attempt_at, created_at, updated_at)
        select d.message_id, d.endpoint_id, d.fifo, d.organization_id, d.environment_id, 'pending', d.trigger, d.next_attempt_at, d.created_at, d.created_at
        from jsonb_to_recordset(${JSON.stringify(planned.deliveryRows)}::jsonb) as d(message_id text, endpoint_id text, fifo boolean, organization_id text,
          environment_id text, trigger text, next_attempt_at timestamptz, created_at timestamptz)
        where (select unchanged from checked)
      ) select unchanged from checked`,
  );
  return row!.unchanged;
}

/** A publish re-reads an environment's endpoints at most this often before it gives up (they kept changing). */
const MAX_READS = 5;

export interface FanoutDeps {
  clock: Clock;
  /** Whether a dispatch run of this process holds the endpoint now. */
  running?: (endpointId: string) => boolean;
}

/** The `onEventsPublished` listener. */
export function createFanout(deps: FanoutDeps) {
  return async function fanOut(tx: Db, published: Event[]): Promise<void> {
    const now = deps.clock.now().toISOString();
    const jobs: JobSpec[] = [];
    const streams = new Set<string>();
    let made = madeIn.get(tx);
    if (!made) madeIn.set(tx, (made = new Map()));
    let given = dispatched.get(tx);
    if (!given) dispatched.set(tx, (given = []));
    const handOver = handedOver.has(tx);

    const byEnvironment = new Map<string, Event[]>();
    for (const event of published) {
      const list = byEnvironment.get(event.environmentId) ?? [];
      list.push(event);
      byEnvironment.set(event.environmentId, list);
    }
    for (const [environmentId, batch] of byEnvironment) {
      const organizationId = batch[0]!.organizationId;
      const environment = await environmentName(tx, environmentId);
      let candidates = cachedEndpoints(environmentId) ?? (await readEndpoints(tx, organizationId, environmentId));
      let planned = plan(batch, candidates, environment, now);
      for (let reads = 1; !(await insertChecked(tx, organizationId, environmentId, candidates.version, planned)); reads++) {
        if (reads >= MAX_READS) throw new Error(`the endpoints of environment ${environmentId} kept changing during a publish`);
        candidates = await readEndpoints(tx, organizationId, environmentId);
        planned = plan(batch, candidates, environment, now);
      }
      for (const [eventId, messageId] of planned.messageIds) made.set(eventId, messageId);
      for (const endpoint of planned.targets) {
        if (endpoint.kind === 'stream') streams.add(endpoint.id);
        // A run here holds the endpoint and is woken after the commit: no job (see jobs.ts, Dispatched).
        else if (handOver && deps.running?.(endpoint.id)) given.push({ endpointId: endpoint.id, organizationId, environmentId });
        else jobs.push(dispatchJob(endpoint, undefined, { unkeyed: true }));
      }
    }

    if (jobs.length > 0) {
      for (const job of await enqueueMany(tx, jobs, { clock: deps.clock })) {
        given.push({ endpointId: (job.payload as DispatchPayload).endpointId, organizationId: job.organizationId!, environmentId: job.environmentId!, jobId: job.id });
      }
    }
    if (streams.size > 0) await rows(tx, sql`select pg_notify(${STREAM_CHANNEL}, id) from jsonb_array_elements_text(${JSON.stringify([...streams])}::jsonb) as id`);
  };
}
