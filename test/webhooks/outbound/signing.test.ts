import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signWith } from '../../../src/webhooks/outbound/index.ts';
import { attemptsOf, endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

/** Verifies a `v1a` signature header the way the Standard Webhooks spec describes, with node:crypto only. */
function verifyV1a(publicKey: string, headers: Record<string, string | string[] | undefined>, body: string): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url') }, format: 'jwk' });
  return String(headers['webhook-signature'])
    .split(' ')
    .filter((s) => s.startsWith('v1a,'))
    .some((s) => verify(null, Buffer.from(`${id}.${timestamp}.${body}`), key, Buffer.from(s.slice(4), 'base64')));
}

const headersOf = (r: { headers: Record<string, unknown> }) => r.headers as Record<string, string>;

describe('signatures', () => {
  let h: OutboundHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await outboundHarness({ settings: { random: () => 0.5 } });
    receiver = await startReceiver();
    await eventType(h, 'order.created');
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.respond = () => ({ status: 200 });
  });

  it('signs v1 so that the standardwebhooks verifier accepts the body byte for byte', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/v1`, eventTypes: ['order.created'] });
    const id = await publishEvent(h, { type: 'order.created', data: { orderId: 'o_1', note: 'ünïcødé ✓' } });
    await waitFor(() => receiver.requests.find((r) => r.url === '/v1'));
    const request = receiver.requests.find((r) => r.url === '/v1')!;
    const { secret } = (await h.get(`/api/v1/endpoints/${ep}/secret`)).body;
    expect(secret).toMatch(/^whsec_/);
    const payload = new Webhook(secret).verify(request.body, headersOf(request)) as Record<string, unknown>;
    expect(payload).toEqual({
      id,
      type: 'order.created',
      schemaVersion: 1,
      occurredAt: expect.any(String),
      data: { orderId: 'o_1', note: 'ünïcødé ✓' },
      organizationId: h.api.seed.organization.id,
      environment: 'dev',
    });
    expect(request.headers['webhook-id']).toBe(id);
    expect(request.headers['content-type']).toBe('application/json');
    // A byte changed in transit no longer verifies.
    expect(() => new Webhook(secret).verify(request.body.replace('o_1', 'o_2'), headersOf(request))).toThrow(WebhookVerificationError);
    await h.del(`/api/v1/endpoints/${ep}`);
  });

  it('sends both signatures during a rotation, each verifying with its own secret, and only the new one after the grace period', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/rotate`, eventTypes: ['order.created'] });
    const oldSecret = (await h.get(`/api/v1/endpoints/${ep}/secret`)).body.secret as string;
    const rotated = await h.post(`/api/v1/endpoints/${ep}/secret/rotate`, { gracePeriodHours: 24 });
    expect(rotated.status).toBe(200);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - h.clock.now().getTime()).toBe(24 * 3_600_000);
    const newSecret = (await h.get(`/api/v1/endpoints/${ep}/secret`)).body.secret as string;
    expect(newSecret).not.toBe(oldSecret);

    await publishEvent(h, { type: 'order.created', data: { n: 1 } });
    await waitFor(() => receiver.requests.find((r) => r.url === '/rotate'));
    const during = receiver.requests.find((r) => r.url === '/rotate')!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    new Webhook(oldSecret).verify(during.body, headersOf(during));
    new Webhook(newSecret).verify(during.body, headersOf(during));

    // Past the grace period only the new secret signs. (The clock moves a day: verify without the
    // verifier's replay window, which reads the real time.)
    receiver.requests.length = 0;
    h.clock.advance(24 * 3_600_000 + 1_000);
    await publishEvent(h, { type: 'order.created', data: { n: 2 } });
    await waitFor(() => receiver.requests.find((r) => r.url === '/rotate'));
    const after = receiver.requests.find((r) => r.url === '/rotate')!;
    const signatures = String(after.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(1);
    const timestamp = new Date(Number(after.headers['webhook-timestamp']) * 1000);
    expect(signatures[0]).toBe(new Webhook(newSecret).sign(String(after.headers['webhook-id']), timestamp, after.body));
    expect(signatures[0]).not.toBe(new Webhook(oldSecret).sign(String(after.headers['webhook-id']), timestamp, after.body));
    h.clock.set(new Date(Date.now()));
    await h.del(`/api/v1/endpoints/${ep}`);
  });

  it('signs v1a with ed25519, verified with node:crypto and the whpk_ public key; the private key is never revealed', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/v1a`, eventTypes: ['order.created'], signatureType: 'v1a' });
    const revealed = (await h.get(`/api/v1/endpoints/${ep}/secret`)).body;
    expect(revealed).toEqual({ signatureType: 'v1a', secret: null, publicKey: expect.stringMatching(/^whpk_/) });
    await publishEvent(h, { type: 'order.created', data: { orderId: 'o_3' } });
    await waitFor(() => receiver.requests.find((r) => r.url === '/v1a'));
    const request = receiver.requests.find((r) => r.url === '/v1a')!;
    expect(String(request.headers['webhook-signature'])).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(verifyV1a(revealed.publicKey, request.headers, request.body)).toBe(true);
    expect(verifyV1a(revealed.publicKey, request.headers, request.body.replace('o_3', 'o_4'))).toBe(false);
    // The standardwebhooks package checks only v1: it finds no signature it can check.
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(request.body, headersOf(request))).toThrow(WebhookVerificationError);

    // Rotating from v1a to v1 sends one signature of each kind during the grace period.
    await h.post(`/api/v1/endpoints/${ep}/secret/rotate`, { signatureType: 'v1' });
    const v1 = (await h.get(`/api/v1/endpoints/${ep}/secret`)).body.secret as string;
    receiver.requests.length = 0;
    await publishEvent(h, { type: 'order.created', data: { orderId: 'o_5' } });
    await waitFor(() => receiver.requests.find((r) => r.url === '/v1a'));
    const both = receiver.requests.find((r) => r.url === '/v1a')!;
    expect(String(both.headers['webhook-signature']).split(' ').map((s) => s.split(',')[0])).toEqual(['v1', 'v1a']);
    new Webhook(v1).verify(both.body, headersOf(both));
    expect(verifyV1a(revealed.publicKey, both.headers, both.body)).toBe(true);
    await h.del(`/api/v1/endpoints/${ep}`);
  });

  it('keeps the same webhook-id on every retry, with a fresh timestamp and signature', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/retry`, eventTypes: ['order.created'] });
    let calls = 0;
    receiver.respond = () => (++calls < 3 ? { status: 503 } : { status: 200 });
    const id = await publishEvent(h, { type: 'order.created', data: { orderId: 'o_6' } });
    for (let i = 1; i < 3; i++) {
      await waitFor(async () => (await attemptsOf(h, id)).length === i);
      h.clock.advance(10 * 60_000);
      await h.outbound.sweep();
    }
    await waitFor(() => receiver.requests.filter((r) => r.url === '/retry').length === 3);
    const seen = receiver.requests.filter((r) => r.url === '/retry');
    expect(new Set(seen.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
    expect(new Set(seen.map((r) => r.headers['webhook-timestamp'])).size).toBe(3);
    expect(new Set(seen.map((r) => r.headers['webhook-signature'])).size).toBe(3);
    h.clock.set(new Date(Date.now()));
    await h.del(`/api/v1/endpoints/${ep}`);
  });
});

describe('v1 signing with node:crypto', () => {
  it('gives exactly the signature the standardwebhooks package computes, for any key length and body', () => {
    for (const bytes of [24, 32, 48, 64]) {
      const secret = `whsec_${randomBytes(bytes).toString('base64')}`;
      for (const body of ['', '{"a":1}', '{"note":"ünïcødé ✓ 🚀"}', 'x'.repeat(100_000)]) {
        const at = new Date(1_700_000_000_123);
        expect(signWith({ type: 'v1', secret }, 'msg_1', at, body)).toBe(new Webhook(secret).sign('msg_1', at, body));
      }
    }
  });
});
