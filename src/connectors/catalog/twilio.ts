/**
 * Twilio: messages of a Twilio account, read through the REST API, and its status callbacks and
 * incoming-message webhooks.
 * - API (https://www.twilio.com/docs/usage/api): HTTP basic with an API key SID and secret (or the
 *   account SID and auth token) — https://www.twilio.com/docs/iam/api-keys; `GET
 *   /2010-04-01/Accounts/{AccountSid}.json`; messages `GET
 *   /2010-04-01/Accounts/{AccountSid}/Messages.json?PageSize(≤1000)&DateSent>=YYYY-MM-DD`, newest
 *   first, `next_page_uri` (relative to api.twilio.com) until null —
 *   https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources;
 *   errors `{ code, message, more_info, status }` (20003 Authenticate, 20429 Too Many Requests).
 * - Security (https://www.twilio.com/docs/usage/webhooks/webhooks-security): `X-Twilio-Signature` is
 *   the base64 HMAC-SHA1, keyed by the auth token, of the full URL followed by the POST parameters
 *   sorted by name (each name then its value). A JSON body is bound instead by a `bodySHA256`
 *   query parameter (hex SHA-256 of the body) and only the URL is signed. Twilio's own libraries
 *   accept the URL with and without the default port; so does this one.
 */
import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

interface Message {
  sid: string;
  direction: string;
  status: string;
  from: string | null;
  to: string;
  body?: string;
  num_segments?: string;
  price?: string | null;
  price_unit?: string | null;
  error_code?: number | null;
  messaging_service_sid?: string | null;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
}

/** Twilio's RFC 2822 dates (`Thu, 30 Jul 2015 20:12:31 +0000`) as ISO 8601. */
const isoOf = (date: string | null): string | null => (date ? new Date(date).toISOString() : null);
const accountPath = (sid: string) => `/2010-04-01/Accounts/${encodeURIComponent(sid)}`;
const Text = Type.Union([Type.String(), Type.Null()]);

/** Messages sent since the last run's newest day (Twilio filters by day), newest first. */
const messages: SyncDefinition<{ accountSid: string }> = {
  model: 'messages',
  description: 'SMS, MMS and WhatsApp messages of the account',
  schema: Type.Object({ sid: Type.String(), direction: Type.String(), status: Type.String(), from: Text, to: Type.String(), segments: Type.Integer(), price: Text, priceUnit: Text, errorCode: Type.Union([Type.Integer(), Type.Null()]), messagingServiceSid: Text, createdAt: Type.String(), sentAt: Text, updatedAt: Type.String() }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; next?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const pages = ctx.paginate<Message>(
      { path: `${accountPath(ctx.config.accountSid)}/Messages.json`, query: { PageSize: 1000, ...(since ? { 'DateSent>': since.slice(0, 10) } : {}) } },
      { type: 'next-url', results: 'messages', nextPath: 'next_page_uri', start: checkpoint.next },
    );
    for await (const page of pages) {
      await ctx.batchSave(
        page.items.map((m) => {
          const sentAt = isoOf(m.date_sent);
          if (sentAt && sentAt > newest) newest = sentAt;
          return {
            externalId: m.sid,
            data: { sid: m.sid, direction: m.direction, status: m.status, from: m.from, to: m.to, segments: Number(m.num_segments ?? 1), price: m.price ?? null, priceUnit: m.price_unit ?? null, errorCode: m.error_code ?? null, messagingServiceSid: m.messaging_service_sid ?? null, createdAt: isoOf(m.date_created)!, sentAt, updatedAt: isoOf(m.date_updated)! },
            updatedAt: isoOf(m.date_updated) ?? undefined,
          };
        }),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, next: page.next, newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

/** Form parameters sorted by name (byte order), each as name + value; repeated names keep their order. */
function formParams(body: Buffer): string {
  const pairs = [...new URLSearchParams(body.toString('utf8'))];
  return pairs
    .map((pair, i) => [pair, i] as const)
    .sort(([[a], i], [[b], j]) => (a < b ? -1 : a > b ? 1 : i - j))
    .map(([[name, value]]) => name + value)
    .join('');
}

/** The URL as given, with its default port, and without it. */
function urlVariants(url: string): string[] {
  const parsed = new URL(url);
  const port = parsed.protocol === 'https:' ? '443' : '80';
  const withPort = parsed.port ? url : url.replace(parsed.host, `${parsed.hostname}:${port}`);
  const withoutPort = parsed.port === port ? url.replace(`${parsed.hostname}:${port}`, parsed.hostname) : url;
  return [...new Set([url, withPort, withoutPort])];
}

function twilioPayload(request: { rawBody: Buffer }): unknown {
  return parseJsonBody(request) ?? Object.fromEntries(new URLSearchParams(request.rawBody.toString('utf8')));
}

export default defineConnector({
  key: 'twilio',
  name: 'Twilio',
  description: 'Messages of a Twilio account through the REST API, and its message and call status callbacks, received as signed webhooks (form or JSON bodies).',
  category: 'communication',
  icon: monogramIcon('Tw', '#f22f46'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'basic',
  connectionConfig: {
    accountSid: { label: 'Account SID', help: 'Console → Account info (AC…).', pattern: 'AC[0-9a-fA-F]{32}', patternHint: 'is AC followed by 32 hexadecimal characters' },
  },
  auth: {
    fields: {
      username: { label: 'API key SID', help: 'An API key’s SID (SK…), or the Account SID to use the auth token.', pattern: '(?:SK|AC)[0-9a-fA-F]{32}', patternHint: 'is SK… (an API key) or AC… (the account)' },
      password: { label: 'API key secret', help: 'The API key’s secret, or the account’s auth token.', secret: true },
    },
    inject: { in: 'basic', username: '{username}', password: '{password}' },
  },
  baseUrls: { production: 'https://api.twilio.com' },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://www.twilio.com/docs/usage/api',
  syncs: [messages],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ sid: string; friendly_name: string; status: string; type: string }>({ path: `${accountPath(ctx.config.accountSid)}.json` }));
    return connected({ id: body.sid, name: body.friendly_name, status: body.status, type: body.type });
  },

  // The source's secret is the account's auth token (Twilio signs with it, whatever key the API uses).
  webhooks: {
    verify(request, secrets, { settings }) {
      const signature = request.headers['x-twilio-signature'];
      if (!signature) return refused('the X-Twilio-Signature header is missing');
      // The URL exactly as Twilio called it (a source may pin it when a proxy rewrites ours).
      const url = settings.url ?? request.url;
      const bodySha = new URL(url).searchParams.get('bodySHA256');
      let params = '';
      if (bodySha !== null) {
        const actual = createHash('sha256').update(request.rawBody).digest('hex');
        if (!matchesAny([actual], [bodySha.toLowerCase()])) return refused('bodySHA256 does not match the body');
      } else {
        params = formParams(request.rawBody);
      }
      const expected = secrets.flatMap((secret) => urlVariants(url).map((u) => hmac('sha1', secret, u, params).toString('base64')));
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => request.headers['i-twilio-idempotency-token'],
    route(request) {
      const payload = twilioPayload(request);
      const status = jsonField(payload, 'MessageStatus') ?? jsonField(payload, 'SmsStatus') ?? jsonField(payload, 'CallStatus');
      const kind = jsonField(payload, 'MessageSid') ? 'message' : jsonField(payload, 'CallSid') ? 'call' : 'webhook';
      return { eventType: status ? `${kind}.${status}` : kind, externalAccountId: jsonField(payload, 'AccountSid'), payload };
    },
  },
});
