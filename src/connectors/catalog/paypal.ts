/**
 * PayPal: a merchant's transactions (orders captured, subscription payments, refunds…) through a
 * REST app's client credentials, and its webhooks, verified by PayPal itself.
 * - Authentication: the app's client id and secret are exchanged for an access token with the
 *   client credentials grant (`POST /v1/oauth2/token`, HTTP basic, `expires_in` seconds):
 *   https://developer.paypal.com/api/rest/authentication/
 * - Transactions: `GET /v1/reporting/transactions` with `start_date`/`end_date` (31 days at most
 *   apart), `fields`, `page_size` (≤ 500) and `page`, answering `transaction_details`,
 *   `total_pages`: https://developer.paypal.com/docs/api/transaction-search/v1/. PayPal has no list
 *   of orders or subscriptions; a transaction names the order (`ODR`) or subscription (`SUB`) it
 *   belongs to in `paypal_reference_id(_type)`, kept here as `orderId` and `subscriptionId`.
 * - Webhooks: `PAYPAL-TRANSMISSION-ID`, `-TIME`, `-SIG`, `PAYPAL-CERT-URL`, `PAYPAL-AUTH-ALGO`,
 *   checked by `POST /v1/notifications/verify-webhook-signature` (`verification_status: SUCCESS`):
 *   https://developer.paypal.com/api/webhooks/v1/#verify-webhook-signature_post
 * - Errors `{ name, message, debug_id }`; 429 `RATE_LIMIT_REACHED`:
 *   https://developer.paypal.com/api/rest/responses/
 */
import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { InboundWebhookRequest, SyncDefinition } from '../extensions.ts';
import { connected, createTokenCache, defineConnector, expectOk, jsonField, monogramIcon, parseJsonBody, ProviderFailureError, refused, verificationClient, verified, type ProviderHttpClient } from '../sdk.ts';

const PRODUCTION = 'https://api-m.paypal.com';
const SANDBOX = 'https://api-m.sandbox.paypal.com';
const WINDOW_MS = 31 * 86_400_000;
/** Transaction Search reaches three years back. */
const HISTORY_MS = 3 * 365 * 86_400_000;
/** A transaction takes up to three hours to show in Transaction Search: incremental runs look back that far. */
const SETTLING_MS = 3 * 3_600_000;

interface TokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
}

interface TransactionDetail {
  transaction_info: {
    transaction_id: string;
    transaction_event_code?: string;
    transaction_initiation_date: string;
    transaction_updated_date?: string;
    transaction_amount?: { currency_code: string; value: string };
    transaction_status?: string;
    paypal_reference_id?: string;
    paypal_reference_id_type?: string;
  };
  payer_info?: { email_address?: string };
}

/** PayPal's `2025-01-31T10:00:00+0000` (and ISO 8601 alike) as ISO 8601. */
const isoOf = (date: string): string => new Date(date.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
/** PayPal's date-time format for query parameters: seconds, `Z`. */
const paypalDate = (ms: number): string => new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The client credentials grant: an access token for the app. */
async function accessToken(http: ProviderHttpClient, clientId: string, clientSecret: string, signal?: AbortSignal): Promise<{ token: string; expiresIn: number | undefined }> {
  const { body } = expectOk(
    await http.request<TokenResponse>({
      method: 'POST',
      path: '/v1/oauth2/token',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      // Asking twice for a token is harmless.
      idempotent: true,
      ...(signal ? { signal } : {}),
    }),
  );
  if (!body?.access_token) throw new ProviderFailureError('unexpected_response', 'the token answer has no access_token');
  return { token: body.access_token, expiresIn: body.expires_in };
}

const Text = Type.Union([Type.String(), Type.Null()]);

/** Transactions in 31-day windows, oldest first; an incremental run starts at the newest seen. */
const transactions: SyncDefinition = {
  model: 'transactions',
  description: 'PayPal transactions, with the order or subscription each belongs to',
  schema: Type.Object({
    id: Type.String(),
    eventCode: Text,
    status: Text,
    amount: Text,
    currency: Text,
    orderId: Text,
    subscriptionId: Text,
    referenceId: Text,
    referenceType: Text,
    payerEmail: Text,
    initiatedAt: Type.String(),
    updatedAt: Text,
  }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; window?: string; page?: number; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    const now = Date.now();
    let newest = checkpoint.newest ?? since ?? '';
    let start = checkpoint.window ? Date.parse(checkpoint.window) : since ? Date.parse(since) - SETTLING_MS : now - HISTORY_MS;
    let resume = checkpoint.page;
    while (start < now) {
      const end = Math.min(start + WINDOW_MS, now);
      const pages = ctx.paginate<TransactionDetail>(
        { path: '/v1/reporting/transactions', query: { start_date: paypalDate(start), end_date: paypalDate(end), fields: 'transaction_info,payer_info' } },
        { type: 'page', results: 'transaction_details', pageParam: 'page', limitParam: 'page_size', limit: 500, first: 1, start: resume },
      );
      for await (const page of pages) {
        const records = page.items.map(({ transaction_info: t, payer_info: payer }) => {
          const initiatedAt = isoOf(t.transaction_initiation_date);
          if (initiatedAt > newest) newest = initiatedAt;
          const type = t.paypal_reference_id_type ?? null;
          const reference = t.paypal_reference_id ?? null;
          return {
            externalId: t.transaction_id,
            data: {
              id: t.transaction_id,
              eventCode: t.transaction_event_code ?? null,
              status: t.transaction_status ?? null,
              amount: t.transaction_amount?.value ?? null,
              currency: t.transaction_amount?.currency_code ?? null,
              orderId: type === 'ODR' ? reference : null,
              subscriptionId: type === 'SUB' ? reference : null,
              referenceId: reference,
              referenceType: type,
              payerEmail: payer?.email_address ?? null,
              initiatedAt,
              updatedAt: t.transaction_updated_date ? isoOf(t.transaction_updated_date) : null,
            },
            updatedAt: t.transaction_updated_date ? isoOf(t.transaction_updated_date) : initiatedAt,
          };
        });
        await ctx.batchSave(records);
        await ctx.checkpoint.save({ since: checkpoint.since, window: new Date(start).toISOString(), page: page.next, newest });
      }
      resume = undefined;
      start = end;
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

/** Tokens the webhook verifier uses, by origin and app (a digest: the secret is not a map key). */
const verifierTokens = createTokenCache<string>({ maxEntries: 1_000 });

/** The source secret: `<client id>:<client secret>:<webhook id>`, the app and the webhook it registered. */
function sourceSecret(secret: string): { webhookId: string; clientId: string; clientSecret: string } | undefined {
  const [clientId, clientSecret, webhookId, ...rest] = secret.split(':');
  return webhookId && clientId && clientSecret && rest.length === 0 ? { webhookId, clientId, clientSecret } : undefined;
}

/** Asks PayPal whether the delivery is genuine, for one webhook and app. */
async function confirmedByPaypal(request: InboundWebhookRequest, origin: string, secret: { webhookId: string; clientId: string; clientSecret: string }): Promise<boolean> {
  const http = verificationClient('paypal', origin);
  const key = createHash('sha256').update(`${http.baseUrl}\0${secret.clientId}\0${secret.clientSecret}`).digest('base64url');
  let token: string;
  try {
    ({ value: token } = await verifierTokens.get(key, async () => {
      const issued = await accessToken(http, secret.clientId, secret.clientSecret);
      return { value: issued.token, ttlMs: (issued.expiresIn ?? 300) * 1000 };
    }));
  } catch {
    return false;
  }
  const h = request.headers;
  // The event goes as it came, byte for byte: PayPal's signature covers the body's CRC32.
  const body =
    `{"auth_algo":${JSON.stringify(h['paypal-auth-algo'])},"cert_url":${JSON.stringify(h['paypal-cert-url'])},` +
    `"transmission_id":${JSON.stringify(h['paypal-transmission-id'])},"transmission_sig":${JSON.stringify(h['paypal-transmission-sig'])},` +
    `"transmission_time":${JSON.stringify(h['paypal-transmission-time'])},"webhook_id":${JSON.stringify(secret.webhookId)},` +
    `"webhook_event":${request.rawBody.toString('utf8')}}`;
  const response = await http.request<{ verification_status?: string }>({
    method: 'POST',
    path: '/v1/notifications/verify-webhook-signature',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  if (response.status === 401) verifierTokens.delete(key, token);
  return response.status === 200 && response.body?.verification_status === 'SUCCESS';
}

export default defineConnector({
  key: 'paypal',
  name: 'PayPal',
  description: 'Transactions of a PayPal business account (order captures, subscription payments, refunds) through a REST app’s client credentials, and its webhooks, verified by PayPal.',
  category: 'commerce',
  icon: monogramIcon('PP', '#003087'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      clientId: { label: 'Client ID', help: 'Apps & Credentials → your REST app (Live or Sandbox) → Client ID.', pattern: '[A-Za-z0-9_-]{10,128}', patternHint: 'is the app’s client ID (letters, digits, - and _)' },
      clientSecret: { label: 'Client secret', help: 'The same app’s secret. The app needs Transaction Search enabled.', secret: true },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {accessToken}' },
    exchange: { values: ['accessToken'] },
  },
  baseUrls: { production: PRODUCTION, sandbox: SANDBOX },
  requestHeaders: { accept: 'application/json' },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Transactions' }],
  docsUrl: 'https://developer.paypal.com/api/rest/',
  syncs: [transactions],

  async exchangeCredential(ctx) {
    const { token, expiresIn } = await accessToken(ctx.http, ctx.credentials.clientId!, ctx.credentials.clientSecret!, ctx.signal);
    return { values: { accessToken: token }, expiresInSeconds: expiresIn };
  },

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ webhooks?: { id: string }[] }>({ path: '/v1/notifications/webhooks' }));
    return connected({ name: 'PayPal REST app', webhooks: body?.webhooks?.length ?? 0 });
  },

  // The source's secret is `<client id>:<client secret>:<webhook id>` (several during a rotation);
  // the setting `environment: sandbox` asks PayPal's sandbox.
  webhooks: {
    async verify(request, secrets, { toleranceSeconds, settings }) {
      const h = request.headers;
      for (const name of ['paypal-transmission-id', 'paypal-transmission-time', 'paypal-transmission-sig', 'paypal-cert-url', 'paypal-auth-algo']) {
        if (!h[name]) return refused(`the ${name} header is missing`);
      }
      const sent = Date.parse(h['paypal-transmission-time']!);
      if (!Number.isFinite(sent) || Math.abs(request.receivedAt.getTime() - sent) > toleranceSeconds * 1000) return refused('the transmission time is missing or too old');
      if (parseJsonBody(request) === undefined) return refused('the body is not a JSON event');
      const origin = settings.environment === 'sandbox' ? SANDBOX : PRODUCTION;
      for (const secret of secrets) {
        const parts = sourceSecret(secret);
        if (parts && (await confirmedByPaypal(request, origin, parts))) return verified;
      }
      return refused('PayPal did not confirm the signature');
    },
    eventId: (request) => jsonField(parseJsonBody(request), 'id') ?? request.headers['paypal-transmission-id'],
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'event_type') ?? 'unknown', payload };
    },
  },
});
