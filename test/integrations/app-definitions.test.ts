/**
 * The Zapier and Make app definitions in integrations/: in step with the event types they are
 * generated from, and the Zapier app's hooks work against a live API.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInSources, definitions } from '../../integrations/generate.ts';
import { eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from '../webhooks/outbound/support.ts';

const DIR = path.join(import.meta.dirname, '../../integrations');

describe('the app definitions', () => {
  it('are what `npm run integrations:generate` writes from the built-in event types', () => {
    for (const [file, text] of Object.entries(definitions(builtInSources()))) {
      expect(fs.readFileSync(path.join(DIR, file), 'utf8'), `integrations/${file} is stale: run npm run integrations:generate`).toBe(text);
    }
  });

  it('give Make a hook attach and detach on the REST Hooks routes, and one instant trigger per event type', () => {
    const app = JSON.parse(fs.readFileSync(path.join(DIR, 'make/app.json'), 'utf8'));
    expect(app.webhook.attach).toMatchObject({ url: '/hooks', method: 'POST', body: { targetUrl: '{{webhook.url}}', event: '{{parameters.event}}' } });
    expect(app.webhook.detach).toEqual({ url: '/hooks/{{webhook.externalHookId}}', method: 'DELETE' });
    expect(app.modules.map((m: { webhook: { event: string } }) => m.webhook.event)).toEqual(builtInSources().map((t) => t.name));
  });
});

type Z = { request(options: { url: string; method?: string; body?: unknown }): Promise<{ status: number; data: any }> };

describe('the Zapier app against a live API', () => {
  let h: OutboundHarness;
  let receiver: Receiver;
  let hubUrl: string;
  const app = createRequire(import.meta.url)(path.join(DIR, 'zapier/index.js')) as {
    beforeRequest: ((request: { url: string; headers?: Record<string, string> }, z: unknown, bundle: unknown) => { url: string; headers: Record<string, string> })[];
    authentication: { test(z: Z, bundle: unknown): Promise<any> };
    triggers: Record<string, { operation: { performSubscribe(z: Z, bundle: unknown): Promise<any>; performUnsubscribe(z: Z, bundle: unknown): Promise<any>; performList(z: Z, bundle: unknown): Promise<any> } }>;
  };

  beforeAll(async () => {
    h = await outboundHarness();
    receiver = await startReceiver();
    await h.api.app.listen({ port: 0, host: '127.0.0.1' });
    hubUrl = `http://127.0.0.1:${(h.api.app.server.address() as { port: number }).port}`;
    await eventType(h, 'invoice.paid');
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  /** What Zapier's `z.request` does for these calls: the app's beforeRequest, JSON in and out, a throw on an error status. */
  const zFor = (bundle: unknown): Z => ({
    async request(options) {
      let request = { url: options.url, headers: { 'content-type': 'application/json' } as Record<string, string> };
      for (const before of app.beforeRequest) request = before(request, undefined, bundle);
      const res = await fetch(request.url, { method: options.method ?? 'GET', headers: request.headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
      const data = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
      if (res.status >= 400) throw new Error(`${res.status}: ${JSON.stringify(data)}`);
      return { status: res.status, data };
    },
  });

  it('tests the API key, subscribes a Zap, delivers to it, and unsubscribes it', async () => {
    const authData = { hubUrl, apiKey: h.api.keys.admin };
    const me = await app.authentication.test(zFor({ authData }), { authData });
    expect(me).toMatchObject({ kind: 'apiKey', environment: 'dev' });

    const trigger = app.triggers.connection_created!.operation;
    expect(await trigger.performList(zFor({ authData }), { authData })).toEqual([expect.objectContaining({ type: 'connection.created' })]);

    const bundle = { authData, targetUrl: `${receiver.url}/zap`, inputData: {} };
    const subscribeData = await app.triggers.sync_completed!.operation.performSubscribe(zFor(bundle), bundle);
    expect(subscribeData).toMatchObject({ id: expect.stringMatching(/^ep_/), event: 'sync.completed', targetUrl: `${receiver.url}/zap` });
    expect((await h.get('/api/v1/hooks')).body.data).toEqual([expect.objectContaining({ id: subscribeData.id })]);

    await app.triggers.sync_completed!.operation.performUnsubscribe(zFor({ ...bundle, subscribeData }), { ...bundle, subscribeData });
    expect((await h.get('/api/v1/hooks')).body.data).toEqual([]);

    // A custom event type's hook, as a regenerated app subscribes it, delivers the next event.
    const custom = definitions([...builtInSources(), { name: 'invoice.paid', description: 'Paid', example: null }])['zapier/index.js']!;
    expect(custom).toContain('"event": "invoice.paid"');
    const made = await zFor(bundle).request({ url: `${hubUrl}/api/v1/hooks`, method: 'POST', body: { targetUrl: `${receiver.url}/zap-custom`, event: 'invoice.paid' } });
    await publishEvent(h, { type: 'invoice.paid', data: { invoiceId: 'in_9' } });
    const delivered = await waitFor(() => receiver.requests.find((r) => r.url === '/zap-custom'));
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'invoice.paid', data: { invoiceId: 'in_9' } });
    expect(made.status).toBe(201);
  });
});
