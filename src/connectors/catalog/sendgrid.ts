/**
 * SendGrid: email statistics of a SendGrid account as metrics, read with an API key, and its
 * Event Webhook. API reference: authentication (`Authorization: Bearer SG.…`; US and EU hosts):
 * https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/authentication;
 * API key scopes (`GET /v3/scopes`); global stats (`GET /v3/stats?start_date&end_date&aggregated_by=day`
 * → `[{ date, stats: [{ metrics: { requests, delivered, opens, clicks, bounces, … } }] }]`);
 * errors `{ errors: [{ field, message }] }`. Signed Event Webhook (ECDSA P-256 over timestamp and
 * body; `X-Twilio-Email-Event-Webhook-Signature`, `-Timestamp`; the verification key is base64 DER):
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
 */
import { createPublicKey, verify } from 'node:crypto';
import type { MetricPoint, MetricQuery } from '../extensions.ts';
import { connected, defineConnector, expectOk, bodyField, jsonField, monogramIcon, parseJsonBody, refused, verified, withinTolerance, type ConnectorContext } from '../sdk.ts';

interface Stats {
  date: string;
  stats: { metrics: Record<string, number> }[];
}

const METRIC_FIELDS: Record<string, string> = { emails_delivered: 'delivered', emails_requested: 'requests', emails_bounced: 'bounces', unique_opens: 'unique_opens' };
const day = (d: Date): string => d.toISOString().slice(0, 10);

async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  const wanted = query.metricIds.filter((id) => Object.hasOwn(METRIC_FIELDS, id));
  if (wanted.length === 0) return [];
  const { body } = expectOk(await ctx.http.request<Stats[]>({ path: '/v3/stats', query: { start_date: day(query.startDate), end_date: day(query.endDate), aggregated_by: 'day' } }));
  return body.flatMap((entry) => wanted.map((metricId) => ({ metricId, time: `${entry.date}T00:00:00.000Z`, value: entry.stats.reduce((sum, s) => sum + (s.metrics[METRIC_FIELDS[metricId]!] ?? 0), 0) })));
}

/** An ECDSA signature of `timestamp + body` checked against a base64 DER (SPKI) public key. */
function ecdsaOk(publicKey: string, content: Buffer, signature: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey.replace(/-----[^-]+-----|\s/g, ''), 'base64'), format: 'der', type: 'spki' });
    return verify('sha256', content, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export default defineConnector({
  key: 'sendgrid',
  name: 'SendGrid',
  description: 'Email delivery statistics of a SendGrid account as daily metrics, and its signed Event Webhook (delivered, bounced, opened…).',
  category: 'communication',
  icon: monogramIcon('SG', '#1a82e2'),
  capabilities: ['proxy', 'metrics', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiKey: { label: 'API key', help: 'Settings → API Keys (Stats read access is enough).', placeholder: 'SG.…', pattern: 'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', patternHint: 'starts with SG. and has two dot-separated parts', secret: true },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiKey}' },
  },
  baseUrls: { production: 'https://api.sendgrid.com', eu: 'https://api.eu.sendgrid.com' },
  // No rateLimit: SendGrid sets limits per endpoint and says them in X-RateLimit-* headers.
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Email delivery' }],
  docsUrl: 'https://www.twilio.com/docs/sendgrid/api-reference',
  metrics: [
    { id: 'emails_requested', name: 'Emails requested', unit: 'emails', description: 'Emails requested to be sent, per day', aggregation: 'sum' },
    { id: 'emails_delivered', name: 'Emails delivered', unit: 'emails', description: 'Emails accepted by the receiving server, per day', aggregation: 'sum' },
    { id: 'emails_bounced', name: 'Bounces', unit: 'emails', description: 'Emails the receiving server refused, per day', aggregation: 'sum' },
    { id: 'unique_opens', name: 'Unique opens', unit: 'opens', description: 'Recipients who opened at least once, per day', aggregation: 'sum' },
  ],
  fetchMetrics,

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ scopes: string[] }>({ path: '/v3/scopes' }));
    return connected({ name: 'SendGrid account', scopes: body.scopes.length, canReadStats: body.scopes.includes('stats.read') });
  },

  // The source's secret is the verification key SendGrid shows (base64 DER).
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const signature = request.headers['x-twilio-email-event-webhook-signature'];
      const timestamp = request.headers['x-twilio-email-event-webhook-timestamp'];
      if (!signature || !timestamp) return refused('the X-Twilio-Email-Event-Webhook-Signature and -Timestamp headers are required');
      const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds);
      if (stale) return refused(stale);
      const content = Buffer.concat([Buffer.from(timestamp), request.rawBody]);
      return secrets.some((key) => ecdsaOk(key, content, signature)) ? verified : refused('no signature matches the verification key');
    },
    eventId: (request) => bodyField(request, '0.sg_event_id'),
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, '0.event') ?? 'unknown', externalAccountId: undefined, payload };
    },
  },
});
