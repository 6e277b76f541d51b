/**
 * Processing one stored event (the `inbound.process` job): route it to its connection through
 * the connector, apply the source's filters, then do what the source (or the matching filter)
 * says — forward it as one of our events, trigger a sync of the connection, or run the
 * connector's handler. A failure is recorded on the event and retried by the queue with
 * backoff; after the last attempt the event is `failed` (dead-lettered) until reprocessed.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { getConnector, loadRegistry, parseJsonBody, jsonField, type InboundWebhookRequest, type InboundWebhookRoute } from '../../connectors/index.ts';
import { scrubString, toError, type Clock, type Logger } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import { publish } from '../../events/index.ts';
import type { JobContext } from '../../queue/index.ts';
import { readBody } from './body-objects.ts';
import { applyFilters } from './filters.ts';
import { inboundEvents, sources, type InboundEvent, type Source, type SourceAction } from './schema.ts';

export const PROCESS_MAX_ATTEMPTS = 8;
/** The longest event type name (as `POST /event-types` allows); derived names are held to it too. */
export const MAX_EVENT_TYPE_LENGTH = 200;

/** Finds the connection of a provider account (wired to the connections module when it lands). */
export type ConnectionLookup = (input: {
  organizationId: string;
  environmentId: string;
  connectorKey: string | null;
  integrationId: string | null;
  externalAccountId: string;
}) => Promise<string | undefined>;

/** Starts a sync of a connection now (the "hybrid" strategy: webhook now, reconcile later). */
export type SyncTrigger = (input: { organizationId: string; environmentId: string; connectionId: string; model?: string | undefined; reason: string }) => Promise<{ runIds: string[] }>;

export interface ProcessorOptions {
  database: Database;
  clock: Clock;
  lookupConnection: ConnectionLookup;
  triggerSync: SyncTrigger | undefined;
}

export class NotRetriedError extends Error {}

export function createProcessor(options: ProcessorOptions) {
  const { db } = options.database;

  async function run({ job, logger, signal }: JobContext<{ eventId: string }>): Promise<void> {
    const started = performance.now();
    const [claimed] = await db
      .update(inboundEvents)
      .set({ status: 'processing', attempts: sql`${inboundEvents.attempts} + 1`, updatedAt: options.clock.now() })
      .where(and(eq(inboundEvents.id, job.payload.eventId), inArray(inboundEvents.status, ['received', 'processing'])))
      .returning();
    // Already processed (a reprocess raced it), or gone with its source: nothing to do.
    if (!claimed) return;
    const log = logger.child({ eventId: claimed.id, sourceId: claimed.sourceId });
    const [source] = await db.select().from(sources).where(eq(sources.id, claimed.sourceId));
    try {
      if (!source) throw new NotRetriedError('the source was deleted');
      await processEvent(claimed, source, log, signal, started);
      log.debug({ ms: Math.round(performance.now() - started) }, 'inbound event processed');
    } catch (err) {
      const error = toError(err);
      const last = error instanceof NotRetriedError || job.attempts >= (job.maxAttempts ?? PROCESS_MAX_ATTEMPTS);
      await db
        .update(inboundEvents)
        .set({ status: last ? 'failed' : 'received', lastError: scrubString(error.message).slice(0, 2000), processingMs: Math.round(performance.now() - started), updatedAt: options.clock.now() })
        .where(eq(inboundEvents.id, claimed.id));
      if (error instanceof NotRetriedError) {
        log.warn({ err: error }, 'inbound event failed; not retried');
        return;
      }
      throw error;
    }
  }

  async function processEvent(event: InboundEvent, source: Source, logger: Logger, signal: AbortSignal, started: number): Promise<void> {
    if (source.connectorKey) await loadRegistry();
    const connector = source.connectorKey ? getConnector(source.connectorKey) : undefined;
    const request: InboundWebhookRequest = { method: event.method, url: event.path + event.query, headers: event.headers, rawBody: await readBody(db, event), receivedAt: event.receivedAt };
    const route: InboundWebhookRoute = connector?.webhooks ? await connector.webhooks.route(request) : genericRoute(request);
    const connectionId = route.externalAccountId
      ? await options.lookupConnection({ organizationId: event.organizationId, environmentId: event.environmentId, connectorKey: source.connectorKey, integrationId: source.integrationId, externalAccountId: route.externalAccountId })
      : undefined;
    const action = applyFilters(source.filters, { type: route.eventType, payload: route.payload ?? null, headers: event.headers, externalAccountId: route.externalAccountId ?? null, connectionId: connectionId ?? null }, source.action);
    const base = { eventType: route.eventType, connectionId: connectionId ?? null };
    const finish = async (tx: typeof db, outcome: Record<string, unknown>) => {
      await tx
        .update(inboundEvents)
        .set({ ...base, status: 'processed', outcome, lastError: null, processedAt: options.clock.now(), processingMs: Math.round(performance.now() - started), updatedAt: options.clock.now() })
        .where(eq(inboundEvents.id, event.id));
    };
    if (action === 'drop') return finish(db, { action: 'dropped' });
    const scope = { organizationId: event.organizationId, environmentId: event.environmentId };
    // An event this hub forwarded, come back through one of its own sources: a second pass would
    // forward it again, and again (a loop). It stops here.
    const loopedFrom = await forwardedByThisHub(route.payload, event);
    if (loopedFrom) return finish(db, { action: 'dropped', reason: 'loop', forwardedFrom: loopedFrom });
    const data = { inboundEventId: event.id, sourceId: source.id, providerEventId: event.providerEventId, type: route.eventType, connectionId: connectionId ?? null, externalAccountId: route.externalAccountId ?? null, payload: route.payload ?? null };

    switch (action.type) {
      case 'none':
        return finish(db, { action: 'none' });
      case 'forward': {
        const type = mapEventType(action, source, route.eventType);
        if (type.length > MAX_EVENT_TYPE_LENGTH) {
          throw new NotRetriedError(`the event type derived from the provider's type is ${type.length} characters long; event types are at most ${MAX_EVENT_TYPE_LENGTH} (set the source's eventType or eventTypes)`);
        }
        await db.transaction(async (tx) => {
          // The inbound event id is the publish idempotency key: a retry never forwards twice.
          const { event: published } = await publish(tx, { ...scope, type, data, externalId: `inbound:${event.id}`, origin: `inbound:${source.id}`, occurredAt: event.receivedAt });
          await finish(tx, { action: 'forwarded', eventId: published.id, type });
        });
        return;
      }
      case 'sync': {
        if (!connectionId) throw new NotRetriedError(route.externalAccountId ? `no connection for account ${route.externalAccountId}` : 'the event names no account to sync');
        if (!options.triggerSync) throw new NotRetriedError('syncs are not available in this hub');
        const result = await options.triggerSync({ ...scope, connectionId, model: action.model, reason: `inbound event ${event.id}` });
        return finish(db, { action: 'sync', connectionId, runIds: result.runIds });
      }
      case 'handler': {
        const handle = connector?.webhooks?.handle;
        if (!handle) throw new NotRetriedError(`the ${source.connectorKey ?? 'generic'} source has no handler`);
        const published: string[] = [];
        await handle({ id: event.id, ...route, connectionId }, {
          logger,
          signal,
          publish: async (type, payload) => {
            const { event: e } = await publish(db, { ...scope, type, data: payload, externalId: `inbound:${event.id}:${published.length}`, origin: `inbound:${source.id}` });
            published.push(e.id);
          },
        });
        return finish(db, { action: 'handler', eventIds: published });
      }
    }
  }

  /**
   * The inbound event this payload was forwarded from, when it is one of this hub's own forwards
   * (its envelope's `data.inboundEventId` names an inbound event of the same environment).
   */
  async function forwardedByThisHub(payload: unknown, event: InboundEvent): Promise<string | undefined> {
    const from = jsonField(payload, 'data.inboundEventId');
    if (!from || !from.startsWith('inb_') || from === event.id) return undefined;
    const [found] = await db
      .select({ id: inboundEvents.id })
      .from(inboundEvents)
      .where(and(eq(inboundEvents.id, from), eq(inboundEvents.organizationId, event.organizationId), eq(inboundEvents.environmentId, event.environmentId)));
    return found?.id;
  }

  return { run };
}

function genericRoute(request: InboundWebhookRequest): InboundWebhookRoute {
  const payload = parseJsonBody(request) ?? request.rawBody.toString('utf8');
  return { eventType: jsonField(payload, 'type') ?? jsonField(payload, 'event') ?? 'webhook', payload };
}

/** `eventTypes` maps provider types (`*` for the rest); `eventType` is a template with `{type}` and `{connector}`. */
export function mapEventType(action: Extract<SourceAction, { type: 'forward' }>, source: Pick<Source, 'connectorKey'>, providerType: string): string {
  const mapped = action.eventTypes?.[providerType] ?? action.eventTypes?.['*'] ?? action.eventType ?? '{connector}.{type}';
  return mapped.replaceAll('{connector}', source.connectorKey ?? 'webhook').replaceAll('{type}', providerType);
}
