/**
 * Every verification preset accepts its provider's correctly signed request and refuses a
 * tampered one. Requests come from the providers' published examples where they exist (GitHub,
 * Slack, HubSpot v1/v2, Twilio form and JSON, Standard Webhooks), otherwise from the signers in
 * simulators/webhooks/signers.ts, written from each provider's documented scheme.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getConnector, loadRegistry, type InboundWebhookRequest, type VerifyOptions } from '../../../src/connectors/index.ts';
import { SIGNERS } from '../../../simulators/index.ts';

const NOW = Date.UTC(2026, 3, 1, 12, 0, 0);
const options: VerifyOptions = { toleranceSeconds: 300, settings: {} };

beforeAll(async () => {
  await loadRegistry();
});

function request(init: Partial<InboundWebhookRequest> & { body?: string }): InboundWebhookRequest {
  const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: init.method ?? 'POST', url: init.url ?? 'https://hub.example.com/webhooks/in/src_1', headers, rawBody: init.rawBody ?? Buffer.from(init.body ?? ''), receivedAt: init.receivedAt ?? new Date(NOW) };
}

async function verify(key: string, req: InboundWebhookRequest, secrets: string[], opts: VerifyOptions = options) {
  return getConnector(key)!.webhooks!.verify(req, secrets, opts);
}

const tamper = (req: InboundWebhookRequest): InboundWebhookRequest => ({ ...req, rawBody: Buffer.concat([req.rawBody, Buffer.from(' ')]) });

describe('published examples', () => {
  it('GitHub: the documented X-Hub-Signature-256 example', async () => {
    const req = request({ body: 'Hello, World!', headers: { 'X-Hub-Signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' } });
    expect(await verify('github', req, ["It's a Secret to Everybody"])).toEqual({ ok: true });
    expect(await verify('github', tamper(req), ["It's a Secret to Everybody"])).toMatchObject({ ok: false });
  });

  it('Slack: the documented slash-command example (timestamp 1531420618)', async () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const req = request({
      body,
      receivedAt: new Date(1531420618 * 1000 + 30_000),
      headers: { 'X-Slack-Request-Timestamp': '1531420618', 'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' },
    });
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    expect(await verify('slack', req, [secret])).toEqual({ ok: true });
    expect(await verify('slack', tamper(req), [secret])).toMatchObject({ ok: false });
    expect(await getConnector('slack')!.webhooks!.route(req)).toMatchObject({ eventType: 'slash_command', externalAccountId: 'T1DC2JH3J' });
  });

  it('HubSpot v1 and v2: the documented examples', async () => {
    const secret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
    const body = '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
    const v1 = request({ body, headers: { 'X-HubSpot-Signature-Version': 'v1', 'X-HubSpot-Signature': '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de' } });
    expect(await verify('hubspot', v1, [secret])).toEqual({ ok: true });
    expect(await verify('hubspot', tamper(v1), [secret])).toMatchObject({ ok: false });
    const v2 = request({ method: 'GET', url: 'https://www.example.com/webhook_uri', headers: { 'X-HubSpot-Signature-Version': 'v2', 'X-HubSpot-Signature': 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e' } });
    expect(await verify('hubspot', v2, [secret])).toEqual({ ok: true });
    expect(await verify('hubspot', { ...v2, url: 'https://www.example.com/other' }, [secret])).toMatchObject({ ok: false });
    const hubspot = getConnector('hubspot')!.webhooks!;
    expect(hubspot.eventId(v1)).toBe('1');
    expect(await hubspot.route(v1)).toMatchObject({ eventType: 'contact.creation', externalAccountId: '62515' });
  });

  it('Twilio: the documented form example and the JSON bodySHA256 example', async () => {
    const form = new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' }).toString();
    const req = request({ url: 'https://mycompany.com/myapp.php?foo=1&bar=2', body: form, headers: { 'X-Twilio-Signature': 'GvWf1cFY/Q7PnoempGyD5oXAezc=' } });
    expect(await verify('twilio', req, ['12345'])).toEqual({ ok: true });
    expect(await verify('twilio', { ...req, rawBody: Buffer.from(form.replace('Digits=1234', 'Digits=9999')) }, ['12345'])).toMatchObject({ ok: false });
    const json = request({
      url: 'https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620',
      body: '{"property": "value", "boolean": true}',
      headers: { 'X-Twilio-Signature': 'a9nBmqA0ju/hNViExpshrM61xv4=', 'content-type': 'application/json' },
    });
    expect(await verify('twilio', json, ['12345'])).toEqual({ ok: true });
    expect(await verify('twilio', tamper(json), ['12345'])).toEqual({ ok: false, reason: 'bodySHA256 does not match the body' });
    // The URL Twilio called may be pinned on the source when a proxy rewrites the hub's.
    expect(await verify('twilio', { ...req, url: 'https://internal:8443/x' }, ['12345'], { ...options, settings: { url: 'https://mycompany.com/myapp.php?foo=1&bar=2' } })).toEqual({ ok: true });
  });

  it('Standard Webhooks: the specification example', async () => {
    const req = request({
      body: '{"test": 2432232314}',
      receivedAt: new Date(1614265330 * 1000),
      headers: { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
    });
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(await verify('custom-webhook', req, [secret])).toEqual({ ok: true });
    expect(await verify('custom-webhook', tamper(req), [secret])).toMatchObject({ ok: false });
    const svix = request({ ...req, headers: { 'svix-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'svix-timestamp': '1614265330', 'svix-signature': 'v1,bad v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' } });
    expect(await verify('svix', svix, [secret])).toEqual({ ok: true });
    expect(await verify('svix', tamper(svix), [secret])).toMatchObject({ ok: false });
  });
});

const BODIES: Record<string, string> = {
  stripe: '{"id":"evt_1","object":"event","type":"charge.succeeded","account":"acct_9","data":{"object":{"id":"ch_1"}}}',
  github: '{"action":"opened","organization":{"id":42},"sender":{"id":7}}',
  slack: '{"type":"event_callback","team_id":"T01","event_id":"Ev01","event":{"type":"app_mention"}}',
  shopify: '{"id":820982911946154508,"email":"jon@example.com"}',
  hubspot: '[{"eventId":77,"portalId":62515,"subscriptionType":"contact.creation","objectId":1}]',
  twilio: 'AccountSid=AC123&MessageSid=SM1&MessageStatus=delivered&To=%2B15551234567',
  paddle: '{"event_id":"evt_01h","event_type":"transaction.completed","data":{"id":"txn_1"}}',
  zendesk: '{"id":"e1","type":"zen:event-type:ticket.created","account_id":123,"detail":{"id":"5"}}',
  intercom: '{"type":"notification_event","id":"notif_1","topic":"conversation.user.created","app_id":"abc123"}',
  pagerduty: '{"event":{"id":"01DEN","event_type":"incident.triggered","data":{"id":"PGR0"}}}',
  segment: '{"type":"track","event":"Order Completed","messageId":"m-1","projectId":"p1"}',
  okta: '{"eventType":"com.okta.event_hook","eventId":"b5a188b9","source":"https://acme.okta.com/api/v1/eventHooks/who8","data":{"events":[{"eventType":"user.session.start"}]}}',
  svix: '{"type":"invoice.paid","data":{}}',
  'custom-webhook': '{"type":"order.paid","data":{}}',
};
const SECRETS: Record<string, [string, string]> = {
  stripe: ['whsec_first', 'whsec_second'],
  okta: ['Bearer okta-secret-1', 'Bearer okta-secret-2'],
  svix: ['whsec_' + Buffer.from('one').toString('base64'), 'whsec_' + Buffer.from('two').toString('base64')],
  'custom-webhook': ['whsec_' + Buffer.from('one').toString('base64'), 'whsec_' + Buffer.from('two').toString('base64')],
};
const URL_OF_SOURCE = 'https://hub.example.com/webhooks/in/src_0123456789?tenant=a%2Fb';

function signedRequest(key: string, secret: string, at = NOW): InboundWebhookRequest {
  const signed = SIGNERS[key]!(secret, { url: URL_OF_SOURCE, body: BODIES[key]!, at, id: 'delivery-1' });
  return request({ method: signed.method, url: signed.url, headers: signed.headers, body: signed.body });
}

describe.each(Object.keys(SIGNERS))('the %s preset', (key) => {
  const [first, second] = SECRETS[key] ?? [`${key}-secret-1`, `${key}-secret-2`];

  it('accepts a correctly signed request, with either secret during a rotation', async () => {
    expect(await verify(key, signedRequest(key, first), [first])).toEqual({ ok: true });
    expect(await verify(key, signedRequest(key, second), [first, second])).toEqual({ ok: true });
  });

  it('refuses a tampered body, a wrong secret and a missing signature', async () => {
    const req = signedRequest(key, first);
    const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString('utf8').replace(/.$/, (c) => (c === '}' ? ' }' : `${c}x`))) };
    // Okta's authorization header is a shared secret, not a signature of the body.
    if (key !== 'okta') expect(await verify(key, tampered, [first])).toMatchObject({ ok: false });
    expect(await verify(key, req, [second])).toMatchObject({ ok: false });
    expect(await verify(key, { ...req, headers: {} }, [first])).toMatchObject({ ok: false });
  });

  it('names an event type, and an event id where the provider sends one', async () => {
    const webhooks = getConnector(key)!.webhooks!;
    const req = signedRequest(key, first);
    const route = await webhooks.route(req);
    expect(route.eventType).not.toBe('unknown');
    if (!['segment', 'twilio'].includes(key) || webhooks.eventId(req)) expect(webhooks.eventId(req)).toBeTruthy();
  });
});

describe('timestamps', () => {
  it.each(['stripe', 'slack', 'hubspot', 'paddle', 'zendesk', 'svix', 'custom-webhook'])('%s refuses a signature older than the tolerance, and accepts it within', async (key) => {
    const [secret] = SECRETS[key] ?? [`${key}-secret-1`];
    const stale = signedRequest(key, secret!, NOW - 301_000);
    expect(await verify(key, stale, [secret!])).toMatchObject({ ok: false, reason: expect.stringMatching(/tolerance/) });
    expect(await verify(key, stale, [secret!], { ...options, toleranceSeconds: 600 })).toEqual({ ok: true });
    expect(await verify(key, signedRequest(key, secret!, NOW - 299_000), [secret!])).toEqual({ ok: true });
  });

  it('reads HubSpot v3 timestamps in milliseconds and decodes the URI as documented', async () => {
    const req = signedRequest('hubspot', 'hs-secret');
    expect(req.headers['x-hubspot-request-timestamp']).toBe(String(NOW));
    expect(req.url).toContain('a%2Fb');
    expect(await verify('hubspot', req, ['hs-secret'])).toEqual({ ok: true });
    expect(await verify('hubspot', { ...req, url: req.url.replace('a%2Fb', 'a%2Fc') }, ['hs-secret'])).toMatchObject({ ok: false });
  });
});

describe('handshakes', () => {
  it('answers Slack url_verification with the challenge', () => {
    const req = request({ body: '{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}' });
    expect(getConnector('slack')!.webhooks!.handshake!(req)).toEqual({ status: 200, headers: { 'content-type': 'text/plain' }, body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('answers the Okta one-time verification GET, and verifies its authorization header', async () => {
    const okta = getConnector('okta')!.webhooks!;
    const req = request({ method: 'GET', headers: { 'X-Okta-Verification-Challenge': 'chal-1', authorization: 'Bearer okta-secret-1' } });
    expect(await verify('okta', req, ['Bearer okta-secret-1'])).toEqual({ ok: true });
    expect(okta.handshake!(req)).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"verification":"chal-1"}' });
    expect(okta.methods).toContain('GET');
    const custom = request({ headers: { 'x-hook-secret': 'abc' } });
    expect(await verify('okta', custom, ['abc'], { ...options, settings: { authorizationHeader: 'X-Hook-Secret' } })).toEqual({ ok: true });
  });
});
