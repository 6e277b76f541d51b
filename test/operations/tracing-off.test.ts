/**
 * Without OTEL_EXPORTER_OTLP_ENDPOINT tracing costs nothing: the SDK and the exporter are never
 * imported, job payloads go out exactly as given, and requests and jobs run as before.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { takeTraceCarrier, tracingEnabled, withTraceCarrier } from '../../src/core/tracing.ts';
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

  it('leaves job payloads exactly as given (the same object, no _trace key)', () => {
    const payload = { messageId: 'msg_1' };
    expect(withTraceCarrier(payload)).toBe(payload);
    expect(takeTraceCarrier(payload)).toEqual({ payload, parent: undefined });
    expect(takeTraceCarrier(payload).payload).toBe(payload);
  });
});
