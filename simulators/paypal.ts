/**
 * PayPal REST simulator, from PayPal's API reference:
 * - `POST /v1/oauth2/token` (HTTP basic client id and secret, `grant_type=client_credentials`) →
 *   `{ scope, access_token, token_type: "Bearer", app_id, expires_in, nonce }`; a wrong client is
 *   401 `{ error: "invalid_client", error_description: "Client Authentication failed" }`
 *   (https://developer.paypal.com/api/rest/authentication/);
 * - REST errors `{ name, message, debug_id, links }`: 401 `AUTHENTICATION_FAILURE`, 429
 *   `RATE_LIMIT_REACHED`, 5xx `INTERNAL_SERVER_ERROR` (https://developer.paypal.com/api/rest/responses/);
 * - `GET /v1/reporting/transactions?start_date&end_date&fields&page_size(≤500)&page` →
 *   `{ transaction_details: [{ transaction_info, payer_info }], page, total_items, total_pages }`,
 *   400 `INVALID_REQUEST` for a range over 31 days
 *   (https://developer.paypal.com/docs/api/transaction-search/v1/);
 * - `GET /v1/notifications/webhooks` → `{ webhooks: [{ id, url, event_types }] }`;
 * - webhooks: `PAYPAL-TRANSMISSION-ID`, `-TIME`, `-SIG` (RSA-SHA256 over
 *   `<transmission id>|<time>|<webhook id>|<CRC32 of the body, decimal>`), `PAYPAL-CERT-URL`,
 *   `PAYPAL-AUTH-ALGO: SHA256withRSA`; `POST /v1/notifications/verify-webhook-signature` answers
 *   `{ verification_status: "SUCCESS" | "FAILURE" }`
 *   (https://developer.paypal.com/api/webhooks/v1/#verify-webhook-signature_post).
 * The webhook source secret is `<client id>:<client secret>:<webhook id>` (see the connector).
 */
import { createSign, createVerify, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { auth, defineSimulator, fixtures, pages } from './support/kit.ts';
import { issuedTokens } from './support/tokens.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';

const CLIENT_ID = 'AZpatchbaySimClient00000000000000001';
const CLIENT_SECRET = 'EPpatchbaySimSecret00000000000000001';
const WEBHOOK_ID = '8PT597110X687430LKGECATA';
const CERT_URL = 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-patchbaysim';
const TOKEN_TTL_SECONDS = 32_400;
const tokens = issuedTokens({ prefix: 'A21AA' });

let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
const signingKeys = () => (keys ??= generateKeyPairSync('rsa', { modulusLength: 2048 }));
const signedContent = (id: string, time: string, webhookId: string, body: string) => `${id}|${time}|${webhookId}|${crc32(Buffer.from(body, 'utf8'))}`;

const ERRORS: Record<ErrorKind, [string, string]> = {
  unauthorized: ['AUTHENTICATION_FAILURE', 'Authentication failed due to invalid authentication credentials or a missing Authorization header.'],
  forbidden: ['NOT_AUTHORIZED', 'Authorization failed due to insufficient permissions.'],
  not_found: ['RESOURCE_NOT_FOUND', 'The specified resource does not exist.'],
  rate_limited: ['RATE_LIMIT_REACHED', 'Too many requests. Blocked due to rate limiting.'],
  server_error: ['INTERNAL_SERVER_ERROR', 'An internal server error has occurred.'],
  bad_request: ['INVALID_REQUEST', 'Request is not well-formed, syntactically incorrect, or violates schema.'],
};
const problem = (kind: ErrorKind, status: number, details?: unknown[]): SimReply => ({
  status,
  body: { name: ERRORS[kind][0], message: ERRORS[kind][1], debug_id: randomUUID().slice(0, 13).replace('-', ''), ...(details ? { details } : {}), links: [{ href: 'https://developer.paypal.com/api/rest/responses/', rel: 'information_link' }] },
});
const bearer = (req: SimRequest) => /^Bearer\s/i.test(req.headers.authorization ?? '');

/** PayPal's `2025-01-31T10:00:00+0000`. */
const paypalTime = (iso: string) => iso.replace(/\.\d{3}Z$/, '+0000');

/** The exact text of a top-level member of a JSON object (PayPal's signature covers the event's bytes). */
function rawMember(json: string, name: string): string | undefined {
  let i = json.indexOf('{') + 1;
  const skipSpace = () => {
    while (/\s/.test(json[i] ?? '')) i++;
  };
  const skipValue = (): void => {
    skipSpace();
    if (json[i] === '"') {
      for (i++; i < json.length && json[i] !== '"'; i++) if (json[i] === '\\') i++;
      i++;
      return;
    }
    if (json[i] === '{' || json[i] === '[') {
      let depth = 0;
      for (; i < json.length; i++) {
        const c = json[i];
        if (c === '"') {
          for (i++; i < json.length && json[i] !== '"'; i++) if (json[i] === '\\') i++;
        } else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
      }
      return;
    }
    while (i < json.length && !/[,}\s]/.test(json[i]!)) i++;
  };
  while (i > 0 && i < json.length) {
    skipSpace();
    if (json[i] !== '"') return undefined;
    const keyStart = i;
    skipValue();
    const key = JSON.parse(json.slice(keyStart, i)) as string;
    skipSpace();
    if (json[i++] !== ':') return undefined;
    skipSpace();
    const valueStart = i;
    skipValue();
    if (key === name) return json.slice(valueStart, i);
    skipSpace();
    if (json[i++] !== ',') return undefined;
  }
  return undefined;
}

interface Transaction extends Record<string, unknown> {
  id: string;
  at: string;
}

export default defineSimulator({
  key: 'paypal',
  credential: auth.anyOf(tokens.reader(), auth.basic()),
  accepts: [`${CLIENT_ID}:${CLIENT_SECRET}`],
  sample: { credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } },
  error: (kind, status, req) =>
    req.path === '/v1/oauth2/token' && kind === 'unauthorized' ? { status, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } } : problem(kind, status),
  data: (options) => ({
    transactions: fixtures<Transaction>(
      options,
      'transactions',
      120,
      (i, at) => ({
        id: `SIM${String(i).padStart(14, '0')}`,
        at: String(at),
        code: i % 4 === 0 ? 'T0002' : 'T0006',
        status: i % 13 === 0 ? 'V' : 'S',
        amount: (5 + (i % 40) * 2.5).toFixed(2),
        refType: i % 4 === 0 ? 'SUB' : 'ODR',
        ref: i % 4 === 0 ? `I-SIM${String(i).padStart(8, '0')}` : `${String(i).padStart(5, '0')}SIMORDER${i % 97}`,
        email: `buyer${i}@patchbay-sim.example`,
      }),
      { updated: 'at', spanDays: 20 },
    ),
  }),
  routes: ({ transactions }) => [
    {
      method: 'POST',
      path: '/v1/oauth2/token',
      handle: (req) => {
        if (!/^Basic\s/i.test(req.headers.authorization ?? '')) return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
        if (new URLSearchParams(req.rawBody).get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' } };
        return {
          body: {
            scope: 'https://uri.paypal.com/services/reporting/search/read https://uri.paypal.com/services/applications/webhooks',
            access_token: tokens.issue(req.credential!, TOKEN_TTL_SECONDS),
            token_type: 'Bearer',
            app_id: 'APP-80W284485P519543T',
            expires_in: TOKEN_TTL_SECONDS,
            nonce: `${new Date().toISOString()}${randomUUID()}`,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/notifications/webhooks',
      handle: (req) => (bearer(req) ? { body: { webhooks: [{ id: WEBHOOK_ID, url: 'https://example.com/paypal-webhooks', event_types: [{ name: '*', description: 'ALL' }] }] } } : problem('unauthorized', 401)),
    },
    {
      method: 'GET',
      path: '/v1/reporting/transactions',
      handle: (req) => {
        if (!bearer(req)) return problem('unauthorized', 401);
        const start = Date.parse(req.query.get('start_date') ?? '');
        const end = Date.parse(req.query.get('end_date') ?? '');
        if (!Number.isFinite(start) || !Number.isFinite(end)) return problem('bad_request', 400, [{ field: 'start_date', issue: 'MISSING_REQUIRED_PARAMETER' }]);
        if (end - start > 31 * 86_400_000) return problem('bad_request', 400, [{ field: 'end_date', issue: 'INVALID_DATE_RANGE', description: 'Date range is greater than 31 days' }]);
        const inRange = transactions.all().filter((t) => Date.parse(t.at) >= start && Date.parse(t.at) <= end);
        const page = pages.page(inRange, req, { pageParam: 'page', limitParam: 'page_size', defaultLimit: 100, maxLimit: 500 });
        return {
          body: {
            transaction_details: page.items.map((t) => ({
              transaction_info: {
                paypal_account_id: 'SIMACCOUNT001',
                transaction_id: t.id,
                paypal_reference_id: t.ref,
                paypal_reference_id_type: t.refType,
                transaction_event_code: t.code,
                transaction_initiation_date: paypalTime(t.at),
                transaction_updated_date: paypalTime(t.at),
                transaction_amount: { currency_code: 'USD', value: t.amount },
                transaction_status: t.status,
              },
              payer_info: { email_address: t.email },
            })),
            account_number: 'SIMACCOUNT001',
            start_date: req.query.get('start_date'),
            end_date: req.query.get('end_date'),
            last_refreshed_datetime: paypalTime(new Date().toISOString()),
            page: page.page,
            total_items: inRange.length,
            total_pages: Math.max(1, page.totalPages),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/v1/notifications/verify-webhook-signature',
      handle: (req) => {
        if (!bearer(req)) return problem('unauthorized', 401);
        let input: Record<string, string>;
        try {
          input = JSON.parse(req.rawBody) as Record<string, string>;
        } catch {
          return problem('bad_request', 400);
        }
        const event = rawMember(req.rawBody, 'webhook_event');
        if (!event || !input.transmission_id || !input.transmission_time || !input.transmission_sig || !input.webhook_id) return problem('bad_request', 400, [{ field: 'webhook_event', issue: 'MISSING_REQUIRED_PARAMETER' }]);
        const genuine =
          input.auth_algo === 'SHA256withRSA' &&
          input.cert_url === CERT_URL &&
          input.webhook_id === WEBHOOK_ID &&
          createVerify('sha256').update(signedContent(input.transmission_id, input.transmission_time, input.webhook_id, event)).verify(signingKeys().publicKey, input.transmission_sig, 'base64');
        return { body: { verification_status: genuine ? 'SUCCESS' : 'FAILURE' } };
      },
    },
  ],
  webhooks: {
    signer: (secret, w) => {
      const webhookId = secret.split(':')[2] ?? '';
      const id = w.id ?? randomUUID();
      const time = new Date(w.at ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const sig = createSign('sha256').update(signedContent(id, time, webhookId, w.body)).sign(signingKeys().privateKey, 'base64');
      return {
        method: 'POST',
        url: w.url,
        headers: {
          'content-type': 'application/json',
          'paypal-transmission-id': id,
          'paypal-transmission-time': time,
          'paypal-transmission-sig': sig,
          'paypal-cert-url': CERT_URL,
          'paypal-auth-algo': 'SHA256withRSA',
          ...w.headers,
        },
        body: w.body,
      };
    },
  },
  profile: {
    proxyPath: '/v1/notifications/webhooks',
    records: { transactions: { dataset: 'transactions', count: 1_201 } },
    webhook: {
      secret: `${CLIENT_ID}:${CLIENT_SECRET}:${WEBHOOK_ID}`,
      body: '{"id":"WH-58D329510W468432D-8HN650336L201105X","event_version":"1.0","create_time":"2025-01-01T00:00:00.000Z","resource_type":"capture","event_type":"PAYMENT.CAPTURE.COMPLETED","summary":"Payment completed for $ 7.47 USD","resource":{"id":"42311647XV020574X","status":"COMPLETED","amount":{"currency_code":"USD","value":"7.47"}}}',
    },
  },
});
