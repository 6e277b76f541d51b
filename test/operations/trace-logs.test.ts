/**
 * The most talkative logs a hub writes (LOG_LEVEL=trace, read through the config module) hold
 * none of the secrets a scripted scenario used, and errors keep their message and stack.
 * (test/api/no-secrets-in-logs.test.ts covers the sign-in and member flows at debug level.)
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { OWNER_PASSWORD, startOpsHub, startReceiver, waitFor, type OpsHub, type Receiver } from './support.ts';

const STRIPE_KEY = 'sk_test_patchbaysimulator0000000001';

let h: OpsHub;
let stripe: SimulatorHandle;
let receiver: Receiver;
let stripeClosed = false;
const used: Record<string, string> = {};

/** Every line as JSON (a line that is not JSON fails the test: logs are JSON lines). */
const lines = () => h.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(async () => {
  stripe = await startSimulator('stripe');
  receiver = await startReceiver(() => ({ status: 200 }));
  h = await startOpsHub({ LOG_LEVEL: 'trace' });
  used.bootstrapKey = h.seed.apiKey;
  used.password = OWNER_PASSWORD;

  // Sign in: a session cookie and a CSRF token.
  const login = await h.api('POST', '/api/v1/auth/login', { email: 'owner@acme.test', password: OWNER_PASSWORD }, { authorization: '' });
  expect(login.status).toBe(200);
  used.csrf = login.body.csrfToken;
  used.session = String(login.headers['set-cookie']).match(/pb_session=([^;]+)/)![1]!;

  // A new API key, then used for everything else.
  const key = await h.api('POST', '/api/v1/api-keys', { name: 'ops script', role: 'admin' });
  expect(key.status).toBe(201);
  used.apiKey = key.body.key;
  const as = { authorization: `Bearer ${used.apiKey}` };

  // An OAuth integration with a client secret.
  used.clientSecret = `hs-client-secret-${randomBytes(12).toString('hex')}`;
  expect((await h.api('POST', '/api/v1/integrations', { connectorKey: 'hubspot', clientId: 'hs-client-id', clientSecret: used.clientSecret }, as)).status).toBe(201);

  // A connection with an API key, and a proxy call through it.
  expect((await h.api('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl }, as)).status).toBe(201);
  used.stripeKey = STRIPE_KEY;
  const connection = await h.api('POST', '/api/v1/connections', { integration: 'stripe', endCustomerId: 'cust-1', credentials: { apiKey: STRIPE_KEY } }, as);
  expect(connection.status).toBe(201);
  const proxied = await h.api('GET', `/api/v1/proxy/${connection.body.id}/v1/account`, undefined, as);
  expect(proxied.status).toBe(200);
  expect(stripe.control.requests.at(-1)!.headers.authorization).toBe(`Bearer ${STRIPE_KEY}`);

  // The provider goes away: the proxy call fails with a network error, which is logged.
  await stripe.close();
  stripeClosed = true;
  const failed = await h.api('GET', `/api/v1/proxy/${connection.body.id}/v1/account`, undefined, as);
  expect(failed.status).toBeGreaterThanOrEqual(500);

  // An outbound endpoint with a given secret, and an event delivered to it.
  used.endpointSecret = `whsec_${randomBytes(24).toString('base64')}`;
  expect((await h.api('POST', '/api/v1/event-types', { name: 'order.placed' }, as)).status).toBe(201);
  expect((await h.api('POST', '/api/v1/endpoints', { url: `${receiver.url}/hooks`, secret: used.endpointSecret }, as)).status).toBe(201);
  const published = await h.api('POST', '/api/v1/events', { type: 'order.placed', data: { orderId: 'o_1' } }, as);
  expect(published.status).toBe(201);
  const delivered = await waitFor(() => receiver.requests.find((r) => r.headers['webhook-id'] === published.body.id), 20_000, 'the delivery');
  used.outboundSignature = String(delivered.headers['webhook-signature']).split(',')[1]!;

  // An inbound source with a secret, and a signed event sent to it.
  used.sourceSecret = `src-secret-${randomBytes(12).toString('hex')}`;
  const source = await h.api('POST', '/api/v1/sources', { name: 'partner', secret: used.sourceSecret, verification: { type: 'hmac', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex' } }, as);
  expect(source.status).toBe(201);
  const body = JSON.stringify({ type: 'thing.done', id: 'evt_1' });
  used.inboundSignature = createHmac('sha256', used.sourceSecret).update(body).digest('hex');
  const inbound = await fetch(`${h.url}/webhooks/in/${source.body.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': used.inboundSignature }, body });
  expect(inbound.status).toBe(200);
  await inbound.arrayBuffer();
}, 90_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
  if (!stripeClosed) await stripe?.close();
});

describe('logs at LOG_LEVEL=trace', () => {
  it('were written at trace level, as JSON lines, through the scenario', () => {
    expect(h.config.logLevel).toBe('trace');
    const all = lines();
    expect(h.hub.logger.level).toBe('trace');
    // Debug lines (provider requests, completed jobs) are written too: the levels below info are open.
    expect(all.some((l) => l.level === 20)).toBe(true);
    // The proxied call: its request's line carries the provider's answer.
    expect(all.some((l) => l.msg === 'request completed' && l.provider === 'stripe' && l.providerStatus === 200)).toBe(true);
    expect(all.some((l) => typeof l.requestId === 'string')).toBe(true);
  });

  it('hold none of the keys, secrets, passwords, sessions, tokens or signatures the scenario used', () => {
    const text = h.logs();
    expect(Object.keys(used)).toHaveLength(11);
    for (const [what, secret] of Object.entries(used)) {
      expect(secret.length, what).toBeGreaterThan(8);
      expect(text.includes(secret), `the logs contain the ${what}`).toBe(false);
    }
  });

  it('write an error with its message and stack, never as "[Object]"', () => {
    const failure = lines().find((l) => l.msg === 'provider call failed');
    expect(failure, 'a failed provider call was logged').toBeDefined();
    expect(failure!.err).toMatchObject({ type: expect.any(String), message: expect.stringMatching(/\S/), stack: expect.stringMatching(/\n\s+at /) });
    expect(h.logs()).not.toContain('[Object]');
  });
});
