/**
 * Twilio: status callbacks and incoming-message webhooks of a Twilio account.
 * Security (https://www.twilio.com/docs/usage/webhooks/webhooks-security): `X-Twilio-Signature` is
 * the base64 HMAC-SHA1, keyed by the auth token, of the full URL followed by the POST parameters
 * sorted by name (each name then its value). A JSON body is bound instead by a `bodySHA256`
 * query parameter (hex SHA-256 of the body) and only the URL is signed. Twilio's own libraries
 * accept the URL with and without the default port; so does this one.
 */
import { createHash } from 'node:crypto';
import { connected, defineConnector, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

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
  description: 'Message and call status callbacks of a Twilio account, received as signed webhooks (form or JSON bodies).',
  category: 'communication',
  icon: monogramIcon('Tw', '#f22f46'),
  capabilities: ['webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      signingSecret: {
        label: 'Auth token',
        help: 'The account’s auth token (Console → Account info); Twilio signs requests with it.',
        secret: true,
        required: false,
      },
    },
    // No inject: the secret only verifies deliveries.
  },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://www.twilio.com/docs/usage/webhooks/webhooks-security',

  async testConnection() {
    return connected({ name: 'Twilio', note: 'Patchbay receives this provider\'s webhooks; send a test delivery to the source URL to check it.' });
  },

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
