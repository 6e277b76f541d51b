/**
 * SendGrid v3 simulator, from https://www.twilio.com/docs/sendgrid/api-reference:
 * - `Authorization: Bearer SG.…`; errors `{ errors: [{ field, message }] }` (401 "authorization
 *   required", 403 "access forbidden", 429 with `X-RateLimit-Limit`, `-Remaining`, `-Reset`);
 * - `GET /v3/scopes` (`{ scopes: [...] }`); `GET /v3/stats?start_date&end_date&aggregated_by=day`.
 * - Signed Event Webhook: a JSON array of events, signed with ECDSA P-256 / SHA-256 over
 *   timestamp + body (`X-Twilio-Email-Event-Webhook-Signature` base64 DER,
 *   `X-Twilio-Email-Event-Webhook-Timestamp`); the verification key is the public key as base64
 *   DER. Signed with a wrong key the signature cannot verify.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { auth, defineSimulator } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const API_KEY = 'SG.patchbaySimKey00001.patchbaySimulatorSecret000000000001';
const MESSAGES: Record<ErrorKind, string> = {
  unauthorized: 'authorization required',
  forbidden: 'access forbidden',
  not_found: 'resource not found',
  rate_limited: 'too many requests',
  server_error: 'internal server error',
  bad_request: 'bad request',
};

/** The simulated account's signing key pair; its public half is the verification key. */
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
export const SENDGRID_VERIFICATION_KEY = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const otherKey = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;

export default defineSimulator({
  key: 'sendgrid',
  credential: auth.bearer(),
  accepts: [API_KEY],
  sample: { credentials: { apiKey: API_KEY } },
  error: (kind, status) => ({ status, ...(kind === 'rate_limited' ? { headers: { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) } } : {}), body: { errors: [{ field: null, message: MESSAGES[kind] }] } }),
  routes: () => [
    { method: 'GET', path: '/v3/scopes', handle: () => ({ body: { scopes: ['mail.send', 'stats.read', 'user.profile.read'] } }) },
    {
      method: 'GET',
      path: '/v3/stats',
      handle: (req) => {
        const start = Date.parse(req.query.get('start_date') ?? '');
        const end = Date.parse(req.query.get('end_date') ?? new Date().toISOString().slice(0, 10));
        if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return { status: 400, body: { errors: [{ field: 'start_date', message: 'is required (YYYY-MM-DD)' }] } };
        const days = [];
        for (let t = start; t <= end; t += 86_400_000) {
          const n = (t / 86_400_000) % 13;
          days.push({ date: new Date(t).toISOString().slice(0, 10), stats: [{ metrics: { requests: 1000 + n, delivered: 980 + n, bounces: 12, opens: 600, unique_opens: 420 + n, clicks: 90, unique_clicks: 70, spam_reports: 1 } }] });
        }
        return { body: days };
      },
    },
  ],
  webhooks: {
    signer: (secret, w) => {
      const timestamp = String(Math.floor((w.at ?? Date.now()) / 1000));
      const key = secret === SENDGRID_VERIFICATION_KEY ? privateKey : otherKey();
      const signature = sign('sha256', Buffer.from(timestamp + w.body), key).toString('base64');
      return { method: 'POST', url: w.url, headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp, ...w.headers }, body: w.body };
    },
  },
  profile: {
    proxyPath: '/v3/scopes',
    webhook: { secret: SENDGRID_VERIFICATION_KEY, body: '[{"email":"ada@example.com","timestamp":1735689600,"event":"delivered","sg_event_id":"c2ltLWV2ZW50LTAwMQ","sg_message_id":"sim-message-1.filter0001"}]' },
  },
});
