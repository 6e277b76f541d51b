/**
 * How each provider signs the webhooks it sends, written from the provider's own documentation
 * (linked per signer) and independent of the connectors' verifiers: simulators deliver with
 * these, and the tests check each connector accepts what they sign.
 */
import { createHash, createHmac } from 'node:crypto';
import { request } from 'undici';

export interface WebhookToSign {
  /** The URL the delivery goes to (some schemes sign it). */
  url: string;
  body: string;
  /** Unix ms; now by default. */
  at?: number;
  /** The provider's delivery or event id, where it sends one in a header. */
  id?: string;
  /** Extra headers the provider sends (event type, account…). */
  headers?: Record<string, string>;
  method?: string;
}

export interface SignedWebhook {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type Signer = (secret: string, webhook: WebhookToSign) => SignedWebhook;

const hmacOf = (algorithm: string, key: string | Buffer, content: string) => createHmac(algorithm, key).update(content);
const seconds = (w: WebhookToSign) => Math.floor((w.at ?? Date.now()) / 1000);
const json = { 'content-type': 'application/json' };
const signed = (w: WebhookToSign, headers: Record<string, string>, contentType: Record<string, string> = json): SignedWebhook => ({
  method: w.method ?? 'POST',
  url: w.url,
  headers: { ...contentType, ...w.headers, ...headers },
  body: w.body,
});

/** https://docs.stripe.com/webhooks#verify-manually — `t=<s>,v1=<hex HMAC-SHA256("t.body")>`. */
const stripe: Signer = (secret, w) => {
  const t = seconds(w);
  return signed(w, { 'stripe-signature': `t=${t},v1=${hmacOf('sha256', secret, `${t}.${w.body}`).digest('hex')}` });
};

/** https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries — `sha256=<hex>` of the body. */
const github: Signer = (secret, w) =>
  signed(w, { 'x-hub-signature-256': `sha256=${hmacOf('sha256', secret, w.body).digest('hex')}`, 'x-github-delivery': w.id ?? crypto.randomUUID(), 'x-github-event': 'push' });

/** https://docs.slack.dev/authentication/verifying-requests-from-slack — `v0=<hex HMAC-SHA256("v0:ts:body")>`. */
const slack: Signer = (secret, w) => {
  const ts = seconds(w);
  return signed(w, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${hmacOf('sha256', secret, `v0:${ts}:${w.body}`).digest('hex')}` });
};

/** https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook — base64 HMAC-SHA256 of the body. */
const shopify: Signer = (secret, w) =>
  signed(w, {
    'x-shopify-hmac-sha256': hmacOf('sha256', secret, w.body).digest('base64'),
    'x-shopify-webhook-id': w.id ?? crypto.randomUUID(),
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'patchbay-sim.myshopify.com',
  });

/**
 * HubSpot v3 (https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests):
 * base64 HMAC-SHA256 of method + URI + body + timestamp (ms), with v1 (`sha256(secret + body)`)
 * sent beside it for older apps.
 */
const hubspot: Signer = (secret, w) => {
  const ms = String(w.at ?? Date.now());
  const method = w.method ?? 'POST';
  // The signed URI has these escapes decoded: %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B.
  const uri = w.url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => decodeURIComponent(m));
  return signed(w, {
    'x-hubspot-request-timestamp': ms,
    'x-hubspot-signature-v3': hmacOf('sha256', secret, `${method}${uri}${w.body}${ms}`).digest('base64'),
    'x-hubspot-signature-version': 'v1',
    'x-hubspot-signature': createHash('sha256').update(secret + w.body).digest('hex'),
  });
};

/**
 * Twilio (https://www.twilio.com/docs/usage/webhooks/webhooks-security): base64 HMAC-SHA1 of the
 * URL followed by the POST parameters sorted by name (name then value); a JSON body is bound by
 * a `bodySHA256` query parameter instead, and only the URL is signed.
 */
const twilio: Signer = (secret, w) => {
  const isJson = w.body.trimStart().startsWith('{');
  if (isJson) {
    const url = `${w.url}${w.url.includes('?') ? '&' : '?'}bodySHA256=${createHash('sha256').update(w.body).digest('hex')}`;
    return { ...signed(w, { 'x-twilio-signature': hmacOf('sha1', secret, url).digest('base64') }), url };
  }
  const params = [...new URLSearchParams(w.body)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const content = w.url + params.map(([k, v]) => k + v).join('');
  return signed(w, { 'x-twilio-signature': hmacOf('sha1', secret, content).digest('base64'), 'i-twilio-idempotency-token': w.id ?? crypto.randomUUID() }, { 'content-type': 'application/x-www-form-urlencoded' });
};

/** Paddle Billing (https://developer.paddle.com/webhooks/signature-verification): `ts=<s>;h1=<hex HMAC-SHA256("ts:body")>`. */
const paddle: Signer = (secret, w) => {
  const ts = seconds(w);
  return signed(w, { 'paddle-signature': `ts=${ts};h1=${hmacOf('sha256', secret, `${ts}:${w.body}`).digest('hex')}` });
};

/** Zendesk (https://developer.zendesk.com/documentation/webhooks/verifying/): base64 HMAC-SHA256 of timestamp + body. */
const zendesk: Signer = (secret, w) => {
  const timestamp = new Date(w.at ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return signed(w, {
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-zendesk-webhook-signature': hmacOf('sha256', secret, timestamp + w.body).digest('base64'),
    'x-zendesk-webhook-invocation-id': w.id ?? String(Date.now()),
  });
};

/** Intercom (https://developers.intercom.com/docs/webhooks/webhook-notifications): `sha1=<hex HMAC-SHA1 of the body>` keyed by the client secret. */
const intercom: Signer = (secret, w) => signed(w, { 'x-hub-signature': `sha1=${hmacOf('sha1', secret, w.body).digest('hex')}` });

/** PagerDuty v3 (https://developer.pagerduty.com/docs/webhooks-overview#verifying-signatures): `v1=<hex HMAC-SHA256 of the body>`, one per secret. */
const pagerduty: Signer = (secret, w) => signed(w, { 'x-pagerduty-signature': `v1=${hmacOf('sha256', secret, w.body).digest('hex')}`, 'x-webhook-id': w.id ?? crypto.randomUUID() });

/** Segment webhooks destination (https://segment.com/docs/connections/destinations/catalog/webhooks/): `X-Signature`, hex HMAC-SHA1 of the body. */
const segment: Signer = (secret, w) => signed(w, { 'x-signature': hmacOf('sha1', secret, w.body).digest('hex') });

/** Okta event hooks (https://developer.okta.com/docs/concepts/event-hooks/): the configured authorization header, sent as is. */
const okta: Signer = (secret, w) => signed(w, { authorization: secret });

/**
 * Opsgenie's Webhook integration (https://support.atlassian.com/opsgenie/docs/integrate-opsgenie-with-outgoing-webhooks/):
 * no signature; the custom headers the admin adds are sent as they are (here `Authorization`).
 */
const opsgenie: Signer = (secret, w) => signed(w, { authorization: secret });

/** Standard Webhooks (https://www.standardwebhooks.com): `v1,<base64 HMAC-SHA256("id.ts.body")>` keyed by the base64 part of `whsec_…`. */
const standardWebhooks =
  (prefix: 'webhook' | 'svix'): Signer =>
  (secret, w) => {
    const id = w.id ?? `msg_${crypto.randomUUID().replaceAll('-', '')}`;
    const ts = seconds(w);
    const signature = hmacOf('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'), `${id}.${ts}.${w.body}`).digest('base64');
    return signed(w, { [`${prefix}-id`]: id, [`${prefix}-timestamp`]: String(ts), [`${prefix}-signature`]: `v1,${signature}` });
  };

/** Signers by connector key. */
export const SIGNERS: Readonly<Record<string, Signer>> = {
  stripe,
  github,
  slack,
  shopify,
  hubspot,
  twilio,
  paddle,
  zendesk,
  intercom,
  pagerduty,
  segment,
  okta,
  svix: standardWebhooks('svix'),
  'custom-webhook': standardWebhooks('webhook'),
};

/**
 * Providers whose webhooks carry a shared secret in a header the admin chose rather than a
 * signature (the conformance suite delivers with these; the inbound presets test covers SIGNERS).
 */
export const HEADER_SECRET_SIGNERS: Readonly<Record<string, Signer>> = { opsgenie };

/** Delivers a signed webhook; answers the receiver's status. */
export async function deliverSigned(signed: SignedWebhook): Promise<{ status: number }> {
  const res = await request(signed.url, { method: signed.method as 'POST', headers: signed.headers, body: signed.method === 'GET' ? null : signed.body });
  await res.body.dump();
  return { status: res.statusCode };
}
