/**
 * A webhook sender, for the Custom webhook connector: it has no API of its own beyond a trigger,
 * and delivers events signed per the Standard Webhooks specification
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * `webhook-id`, `webhook-timestamp` (seconds), `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
 *
 * `POST /events` with `{ "url", "type", "data" }` and `Authorization: Bearer <trigger token>`
 * delivers one event and answers `{ id, status }`; the shared controls (forced status, delay)
 * apply to that trigger. Tests may call `send()` directly.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { Webhook } from 'standardwebhooks';
import type { SimulatorHandle, SimulatorOptions } from './support/handle.ts';
import { bearerToken, createControl, serveSimulator, type ErrorKind, type SimReply } from './support/server.ts';

export const CUSTOM_WEBHOOK_SAMPLE_SECRET = 'whsec_' + Buffer.from('patchbay-simulated-signing-secret').toString('base64');
export const CUSTOM_WEBHOOK_TRIGGER_TOKEN = 'sim-trigger-token';

export interface WebhookEvent {
  type: string;
  data?: unknown;
}

export interface CustomWebhookSimulatorHandle extends SimulatorHandle {
  /** Delivers one signed event to `url`; resolves with the receiver's status. */
  send(url: string, event: WebhookEvent): Promise<{ id: string; status: number }>;
}

function error(kind: ErrorKind, status: number): SimReply {
  const statuses: Record<ErrorKind, number> = { unauthorized: 401, forbidden: 403, not_found: 404, rate_limited: 429, server_error: status, bad_request: 400 };
  return { status: statuses[kind], body: { error: kind, message: `simulated ${kind.replace('_', ' ')}` } };
}

export async function startCustomWebhookSimulator(options: SimulatorOptions & { secret?: string } = {}): Promise<CustomWebhookSimulatorHandle> {
  const secret = options.secret ?? CUSTOM_WEBHOOK_SAMPLE_SECRET;
  const signer = new Webhook(secret);

  async function send(url: string, event: WebhookEvent): Promise<{ id: string; status: number }> {
    const id = `msg_${randomBytes(12).toString('hex')}`;
    const body = JSON.stringify({ type: event.type, timestamp: new Date().toISOString(), data: event.data ?? {} });
    const now = new Date();
    const res = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(id, now, body),
      },
      body,
    });
    await res.body.dump();
    return { id, status: res.statusCode };
  }

  const control = createControl(options.credentials ?? [CUSTOM_WEBHOOK_TRIGGER_TOKEN]);
  const server = await serveSimulator(
    {
      key: 'custom-webhook',
      credential: (req) => bearerToken(req.headers),
      error,
      routes: [
        {
          method: 'POST',
          path: '/events',
          handle: async (req) => {
            let input: { url?: unknown; type?: unknown; data?: unknown };
            try {
              input = JSON.parse(req.rawBody) as typeof input;
            } catch {
              return { status: 400, body: { error: 'bad_request', message: 'body must be JSON' } };
            }
            if (typeof input.url !== 'string' || typeof input.type !== 'string') {
              return { status: 400, body: { error: 'bad_request', message: 'url and type are required' } };
            }
            return { status: 202, body: await send(input.url, { type: input.type, data: input.data }) };
          },
        },
      ],
    },
    { ...options, control },
  );
  return {
    key: 'custom-webhook',
    url: server.url,
    baseUrl: server.url,
    sample: { credentials: { signingSecret: secret }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    close: server.close,
    send,
  };
}
