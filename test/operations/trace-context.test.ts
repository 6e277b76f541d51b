/**
 * The trace context travels with the work it causes: a request's W3C context is stored with the
 * jobs it enqueues (`jobs.trace_context`) and the messages it publishes
 * (`outbound_messages.trace_context`), and restored when they run — so one trace id runs from
 * POST /api/v1/events to the delivery attempt's HTTP span, retries included, even when another
 * request's run delivers the message; and from an inbound webhook to its processing job. Spans
 * are read from an in-memory exporter.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { SpanKind } from '@opentelemetry/api';
import { startTracing, type Tracing } from '../../src/core/tracing.ts';
import { rows } from '../../src/db/index.ts';
import { enqueue } from '../../src/queue/index.ts';
import type { HubModule } from '../../src/hub/index.ts';
import { startOpsHub, startReceiver, waitFor, type OpsHub, type Receiver } from './support.ts';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let h: OpsHub;
let receiver: Receiver;
/** Orders whose first attempt the receiver answers 500 (then 204), and orders it answers late. */
const failFirst = new Set<string>(['o_retry']);
const delays = new Map<string, number>([['o_slow', 800]]);

const probe: HubModule = {
  name: 'probe',
  install(context) {
    context.queue.register('probe.untraced', async () => undefined);
  },
};

const spans = () => exporter.getFinishedSpans();
const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const serverSpan = (requestId: string) => spans().find((s) => s.kind === SpanKind.SERVER && s.attributes['patchbay.request_id'] === requestId);
const attemptSpans = (messageId: string) => spans().filter((s) => s.name === 'webhook attempt' && s.attributes['patchbay.message_id'] === messageId);

/** The span's ancestors among the finished spans, nearest first. */
function ancestors(span: ReadableSpan): ReadableSpan[] {
  const byId = new Map(spans().map((s) => [s.spanContext().spanId, s]));
  const out: ReadableSpan[] = [];
  for (let p = parentId(span) && byId.get(parentId(span)!); p; p = parentId(p) && byId.get(parentId(p)!)) out.push(p);
  return out;
}

async function publish(orderId: string) {
  const published = await h.api('POST', '/api/v1/events', { type: 'order.placed', data: { orderId } });
  expect(published.status).toBe(201);
  return { messageId: published.body.id as string, requestId: String(published.headers['x-request-id']) };
}

beforeAll(async () => {
  tracing = await startTracing({ otlpEndpoint: undefined, exporter });
  receiver = await startReceiver((r) => {
    const order = (JSON.parse(r.body) as { data: { orderId: string } }).data.orderId;
    if (failFirst.delete(order)) return { status: 500 };
    return { status: 204, delayMs: delays.get(order) ?? 0 };
  });
  h = await startOpsHub({}, { modules: [probe] });
  expect((await h.api('POST', '/api/v1/event-types', { name: 'order.placed' })).status).toBe(201);
  const endpoint = await h.api('POST', '/api/v1/endpoints', { url: `${receiver.url}/hooks`, retryConfig: { backoffStrategy: 'explicit', schedule: [0.2], jitter: 0 } });
  expect(endpoint.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
  await tracing?.shutdown();
});

beforeEach(() => exporter.reset());

describe('trace context carried by jobs and messages', () => {
  it('runs one trace from POST /api/v1/events through the dispatch job to the attempt’s HTTP span, and stores it with the message', async () => {
    const { messageId, requestId } = await publish('o_1');
    // Spans are exported as they end: the attempt first, its job and request after it.
    const attempt = await waitFor(() => attemptSpans(messageId).find((s) => ancestors(s).length === 2), 20_000, 'the attempt span under its job and request');
    const request = serverSpan(requestId)!;
    expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(attempt).toMatchObject({ kind: SpanKind.CLIENT, attributes: { 'http.response.status_code': 204 } });
    const chain = ancestors(attempt);
    expect(chain.map((s) => s.name)).toEqual(['job outbound.dispatch', 'POST /api/v1/events']);
    expect(chain[0]).toMatchObject({ kind: SpanKind.CONSUMER, attributes: { 'messaging.operation.type': 'process', 'messaging.destination.name': 'outbound.dispatch' } });

    const [message] = await rows<{ trace_context: { traceparent: string } }>(h.database.db, sql`select trace_context from outbound_messages where id = ${messageId}`);
    expect(message!.trace_context.traceparent).toMatch(new RegExp(`^00-${request.spanContext().traceId}-[0-9a-f]{16}-0[01]$`));
  });

  it('keeps a retried delivery’s later attempt in the trace of the request that published it', async () => {
    const published = await h.api('POST', '/api/v1/events', { type: 'order.placed', data: { orderId: 'o_retry' } });
    expect(published.status).toBe(201);
    const attempts = await waitFor(() => (attemptSpans(published.body.id).length >= 2 ? attemptSpans(published.body.id) : undefined), 20_000, 'two attempts');
    const request = await waitFor(() => serverSpan(String(published.headers['x-request-id'])), 5_000, 'the request span');
    for (const attempt of attempts) expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(attempts.map((a) => a.attributes['patchbay.attempt']).sort()).toEqual([1, 2]);
  });

  it('puts a message delivered by a run another request started into its own publish’s trace, linked to that run', async () => {
    const first = await publish('o_slow');
    // The endpoint's run is busy with the first message: the second one joins that run.
    await waitFor(() => receiver.requests.find((r) => r.headers['webhook-id'] === first.messageId), 20_000, 'the slow delivery');
    const second = await publish('o_joined');
    const attempt = await waitFor(() => attemptSpans(second.messageId)[0], 20_000, 'the second attempt');
    const request = await waitFor(() => serverSpan(second.requestId), 5_000, 'the second request');
    expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId);
    // The run that delivered it was not its own (its job found the run busy and only woke it):
    // the attempt is a child of its own publish, linked to that run's job span.
    expect(parentId(attempt)).toBe(request.spanContext().spanId);
    expect(attempt.links).toHaveLength(1);
    const runSpanId = attempt.links[0]!.context.spanId;
    const run = await waitFor(() => spans().find((s) => s.spanContext().spanId === runSpanId), 10_000, 'the run’s span');
    expect(run.name).toBe('job outbound.dispatch');
    expect(run.spanContext().traceId).not.toBe(request.spanContext().traceId);
  });

  it('runs an inbound webhook’s processing job in the trace of the request that delivered it', async () => {
    const source = await h.api('POST', '/api/v1/sources', { name: 'partner', secret: 'inbound-secret-0123456789', verification: { type: 'hmac', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex' } });
    expect(source.status).toBe(201);
    const body = JSON.stringify({ type: 'thing.done', id: 'evt_1' });
    const res = await fetch(`${h.url}/webhooks/in/${source.body.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': createHmac('sha256', 'inbound-secret-0123456789').update(body).digest('hex') },
      body,
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const request = await waitFor(() => serverSpan(res.headers.get('x-request-id')!), 5_000, 'the inbound request span');
    expect(request.attributes['http.route']).toBe('/webhooks/in/:sourceId');
    const processing = await waitFor(() => spans().find((s) => s.name === 'job inbound.process'), 20_000, 'the processing span');
    expect(processing.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(ancestors(processing).at(-1)).toBe(request);
  });

  it('starts a trace of its own for a job enqueued outside any span, and stores none with it', async () => {
    const job = await enqueue(h.database.db, { type: 'probe.untraced', payload: {} });
    expect(job.traceContext).toBeNull();
    const span = await waitFor(() => spans().find((s) => s.name === 'job probe.untraced'), 20_000, 'the job span');
    expect(parentId(span)).toBeUndefined();
    expect(span.attributes['messaging.message.id']).toBe(job.id);
  });
});
