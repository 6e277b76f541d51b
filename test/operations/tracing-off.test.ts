/**
 * Without OTEL_EXPORTER_OTLP_ENDPOINT tracing costs nothing: the SDK and the exporter are never
 * imported, no trace context is stored with jobs or messages, and requests and jobs run as before.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import { currentTraceContext, tracingEnabled } from '../../src/core/tracing.ts';
import { rows } from '../../src/db/index.ts';
import { enqueue } from '../../src/queue/index.ts';
import { startOpsHub, startReceiver, waitFor, type OpsHub, type Receiver } from './support.ts';

const imported = vi.hoisted(() => new Set<string>());
vi.mock('@opentelemetry/sdk-trace-node', () => {
  imported.add('@opentelemetry/sdk-trace-node');
  return {};
});
vi.mock('@opentelemetry/exporter-trace-otlp-http', () => {
  imported.add('@opentelemetry/exporter-trace-otlp-http');
  return {};
});

let h: OpsHub;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver(() => ({ status: 200 }));
  h = await startOpsHub();
}, 60_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('tracing switched off', () => {
  it('loads neither the SDK nor the exporter, and a request, its job and its delivery run as usual', async () => {
    expect(h.config.otlpEndpoint).toBeUndefined();
    expect((await h.api('POST', '/api/v1/event-types', { name: 'order.placed' })).status).toBe(201);
    expect((await h.api('POST', '/api/v1/endpoints', { url: `${receiver.url}/hooks` })).status).toBe(201);
    const published = await h.api('POST', '/api/v1/events', { type: 'order.placed', data: { orderId: 'o_1' } });
    expect(published.status).toBe(201);
    await waitFor(() => receiver.requests.find((r) => r.headers['webhook-id'] === published.body.id), 20_000, 'the delivery');
    expect(tracingEnabled()).toBe(false);
    expect([...imported]).toEqual([]);
    expect(h.logs()).not.toContain('tracing to an OTLP endpoint');
  });

  it('stores no trace context with a job or a message, and a job’s payload exactly as given', async () => {
    expect(currentTraceContext()).toBeNull();
    const payload = { messageId: 'msg_1', nested: { a: 1 } };
    const job = await enqueue(h.database.db, { type: 'nobody.handles', payload, runAt: new Date(Date.now() + 3_600_000) });
    expect(job).toMatchObject({ traceContext: null, payload });
    const [row] = await rows<{ trace_context: unknown; payload: unknown }>(h.database.db, sql`select trace_context, payload from jobs where id = ${job.id}`);
    expect(row).toEqual({ trace_context: null, payload });
    const messages = await rows<{ trace_context: unknown }>(h.database.db, sql`select trace_context from outbound_messages`);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(m.trace_context).toBeNull();
  });
});
