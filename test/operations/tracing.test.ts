/**
 * Traces end to end: a hub started with OTEL_EXPORTER_OTLP_ENDPOINT exports to an in-process
 * OTLP/HTTP receiver, and one trace runs from the API request through the dispatch job it
 * enqueued to the delivery attempt that job made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing } from '../../src/core/tracing.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { ancestors, startOpsHub, startOtlpReceiver, startReceiver, waitFor, type ExportedSpan, type OpsHub, type OtlpReceiver, type Receiver } from './support.ts';

const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

let otlp: OtlpReceiver;
let receiver: Receiver;
let h: OpsHub;
let endpointId: string;
let stripe: SimulatorHandle;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  receiver = await startReceiver(() => ({ status: 204 }));
  stripe = await startSimulator('stripe');
  h = await startOpsHub({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url });
  expect((await h.api('POST', '/api/v1/event-types', { name: 'order.placed' })).status).toBe(201);
  const created = await h.api('POST', '/api/v1/endpoints', { url: `${receiver.url}/hooks`, eventTypes: ['order.placed'] });
  expect(created.status).toBe(201);
  endpointId = created.body.id;
}, 60_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
  await otlp?.close();
  await stripe?.close();
});

/** The attempt span of a message, once the hub has delivered it and exported its spans. */
async function attemptSpanOf(messageId: string, isRequest = (s: ExportedSpan) => !s.parentSpanId): Promise<ExportedSpan> {
  await waitFor(() => receiver.requests.find((r) => r.headers['webhook-id'] === messageId), 20_000, `delivery of ${messageId}`);
  const tracing = await startTracing({ otlpEndpoint: h.config.otlpEndpoint });
  return waitFor(
    async () => {
      await tracing.flush();
      const attempt = otlp.spans.find((s) => s.name === 'webhook attempt' && s.attributes['patchbay.message_id'] === messageId);
      // The request's span ends after the response, possibly after the attempt was exported.
      return attempt && ancestors(otlp.spans, attempt).some(isRequest) ? attempt : undefined;
    },
    20_000,
    `the spans of ${messageId}`,
  );
}

describe('OpenTelemetry traces', () => {
  it('links POST /api/v1/events to the delivery attempt it caused, through the dispatch job, in one trace', async () => {
    const published = await h.api('POST', '/api/v1/events', { type: 'order.placed', data: { orderId: 'o_1' } });
    expect(published.status).toBe(201);
    const attempt = await attemptSpanOf(published.body.id);
    expect(attempt).toMatchObject({ kind: CLIENT, attributes: { 'patchbay.event_type': 'order.placed', 'patchbay.attempt': 1, 'http.response.status_code': 204 }, service: 'patchbay' });
    const chain = ancestors(otlp.spans, attempt);
    expect(chain.map((s) => s.name)).toEqual(['job outbound.dispatch', 'POST /api/v1/events']);
    expect(chain[0]).toMatchObject({ kind: CONSUMER, attributes: { 'patchbay.job.type': 'outbound.dispatch' } });
    expect(chain[1]).toMatchObject({ kind: SERVER, attributes: { 'http.route': '/api/v1/events', 'http.response.status_code': 201 } });
    expect(chain[1]!.parentSpanId ?? '').toBe('');
    expect(new Set([attempt, ...chain].map((s) => s.traceId)).size).toBe(1);
  });

  it('links an endpoint test event to its attempt the same way', async () => {
    const sent = await h.api('POST', `/api/v1/endpoints/${endpointId}/test`, {});
    expect(sent.status).toBe(202);
    const attempt = await attemptSpanOf(sent.body.id);
    expect(ancestors(otlp.spans, attempt).map((s) => s.name)).toEqual(['job outbound.dispatch', 'POST /api/v1/endpoints/:id/test']);
  });

  it('continues the trace of a caller that sends a W3C traceparent', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const callerSpan = '1122334455667788';
    const published = await h.api('POST', '/api/v1/events', { type: 'order.placed', data: { orderId: 'o_2' } }, { traceparent: `00-${traceId}-${callerSpan}-01` });
    expect(published.status).toBe(201);
    const attempt = await attemptSpanOf(published.body.id, (s) => s.parentSpanId === callerSpan);
    expect(attempt.traceId).toBe(traceId);
    const request = ancestors(otlp.spans, attempt).at(-1);
    expect(request).toMatchObject({ name: 'POST /api/v1/events', parentSpanId: callerSpan });
  });

  it('makes each provider call through the proxy a client span of the API request that made it', async () => {
    expect((await h.api('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).status).toBe(201);
    const connection = await h.api('POST', '/api/v1/connections', { integration: 'stripe', endCustomerId: 'c', credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' } });
    expect(connection.status).toBe(201);
    const before = stripe.control.requests.length;
    expect((await h.api('GET', `/api/v1/proxy/${connection.body.id}/v1/account`)).status).toBe(200);
    expect(stripe.control.requests.length).toBe(before + 1);
    const tracing = await startTracing({ otlpEndpoint: h.config.otlpEndpoint });
    const call = await waitFor(
      async () => {
        await tracing.flush();
        const found = otlp.spans.find((s) => s.name === 'provider GET' && s.attributes['url.path'] === '/v1/account' && ancestors(otlp.spans, s).some((a) => a.name.startsWith('GET /api/v1/proxy/')));
        return found;
      },
      20_000,
      'the provider span under the proxy request',
    );
    expect(call).toMatchObject({ kind: CLIENT, attributes: { 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'http.response.status_code': 200 } });
    const [request] = ancestors(otlp.spans, call).filter((s) => s.kind === SERVER);
    expect(request!.attributes['http.route']).toMatch(/^\/api\/v1\/proxy\//);
    // The credential the proxy injected is in no span.
    expect(JSON.stringify(otlp.spans)).not.toContain('sk_test_patchbaysimulator0000000001');
  });

  it('exports to the OTLP/HTTP traces path of the configured endpoint, as JSON', () => {
    expect(otlp.requests.length).toBeGreaterThan(0);
    for (const r of otlp.requests) expect(r).toMatchObject({ path: '/v1/traces', contentType: expect.stringContaining('application/json') });
  });

  it('hands job handlers their payload without the trace context it carried', async () => {
    const published = await h.api('POST', '/api/v1/events', { type: 'order.placed', data: { orderId: 'o_3' } });
    const delivered = await waitFor(() => receiver.requests.find((r) => r.headers['webhook-id'] === published.body.id), 20_000, 'the delivery');
    expect(delivered.body).not.toContain('traceparent');
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'order.placed', data: { orderId: 'o_3' } });
  });
});
