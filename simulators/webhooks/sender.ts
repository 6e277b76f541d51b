/**
 * A simulator for a provider that only sends us webhooks (Shopify, Twilio, Paddle, Zendesk,
 * Intercom, Svix senders): no API beyond a trigger. `POST /events` with
 * `{ "url", "body" }` and `Authorization: Bearer <trigger token>` delivers one webhook signed the
 * provider's way (see signers.ts) and answers `{ status }`; tests may call `send()` directly.
 */
import { request } from 'undici';
import type { SimulatorHandle, SimulatorOptions } from '../support/handle.ts';
import { bearerToken, createControl, serveSimulator, type ErrorKind, type SimReply } from '../support/server.ts';
import { SIGNERS, type SignedWebhook, type WebhookToSign } from './signers.ts';

export const WEBHOOK_TRIGGER_TOKEN = 'sim-trigger-token';

/** Sample signing secrets, one per provider, in each provider's own format. */
export const SAMPLE_WEBHOOK_SECRETS: Readonly<Record<string, string>> = {
  shopify: 'shpss_patchbaysimulatorclientsecret0001',
  twilio: 'patchbaysimulatorauthtoken000001',
  paddle: 'pdl_ntfset_01simpatchbay_patchbaysimulatorsecret',
  zendesk: 'dGhpc19pc19hX3phbmRlc2tfc2ltdWxhdG9yX3NlY3JldA',
  intercom: 'patchbay-simulated-intercom-client-secret',
  svix: 'whsec_' + Buffer.from('patchbay-simulated-svix-secret').toString('base64'),
};

export interface WebhookSenderHandle extends SimulatorHandle {
  /** Signs `webhook` the provider's way (with the sample secret unless given); `send` also delivers it. */
  sign(webhook: WebhookToSign, secret?: string): SignedWebhook;
  send(webhook: WebhookToSign, secret?: string): Promise<{ status: number }>;
}

function error(kind: ErrorKind, status: number): SimReply {
  const statuses: Record<ErrorKind, number> = { unauthorized: 401, forbidden: 403, not_found: 404, rate_limited: 429, server_error: status, bad_request: 400 };
  return { status: statuses[kind], body: { error: kind } };
}

export async function startWebhookSenderSimulator(key: string, options: SimulatorOptions & { secret?: string } = {}): Promise<WebhookSenderHandle> {
  const signer = SIGNERS[key];
  const secret = options.secret ?? SAMPLE_WEBHOOK_SECRETS[key];
  if (!signer || !secret) throw new Error(`no webhook signer for ${key}`);
  const sign = (webhook: WebhookToSign, withSecret = secret) => signer(withSecret, webhook);
  const send = async (webhook: WebhookToSign, withSecret = secret) => {
    const signed = sign(webhook, withSecret);
    const res = await request(signed.url, { method: signed.method as 'POST', headers: signed.headers, body: signed.method === 'GET' ? null : signed.body });
    await res.body.dump();
    return { status: res.statusCode };
  };
  const control = createControl(options.credentials ?? [WEBHOOK_TRIGGER_TOKEN]);
  const server = await serveSimulator(
    {
      key,
      credential: (req) => bearerToken(req.headers),
      error,
      routes: [
        {
          method: 'POST',
          path: '/events',
          handle: async (req) => {
            let input: { url?: unknown; body?: unknown };
            try {
              input = JSON.parse(req.rawBody) as typeof input;
            } catch {
              return { status: 400, body: { error: 'bad_request', message: 'body must be JSON' } };
            }
            if (typeof input.url !== 'string' || typeof input.body !== 'string') return { status: 400, body: { error: 'bad_request', message: 'url and body (text) are required' } };
            return { status: 202, body: await send({ url: input.url, body: input.body }) };
          },
        },
      ],
    },
    { ...options, control },
  );
  return {
    key,
    url: server.url,
    baseUrl: server.url,
    sample: { credentials: { signingSecret: secret }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    close: server.close,
    sign,
    send,
    sendWebhook: ({ url, body, secret: withSecret, id }) => send({ url, body, ...(id ? { id } : {}) }, withSecret),
  };
}
