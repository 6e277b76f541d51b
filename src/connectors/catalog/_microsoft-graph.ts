/**
 * What Microsoft Graph connectors share (Entra ID, Teams): Graph links as requests, and change
 * notifications (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks): a
 * POST of `{ value: [{ subscriptionId, clientState, changeType, resource, resourceData,
 * tenantId }] }` carrying the subscription's `clientState` secret; the endpoint is validated once
 * with `?validationToken=…`, to be echoed back as text/plain within 10 seconds.
 * (A name starting with `_` is not loaded as a connector.)
 */
import { createHash } from 'node:crypto';
import type { InboundWebhookDefinition } from '../extensions.ts';
import { jsonField, matchesAny, parseJsonBody, refused, verified } from '../sdk.ts';

/** A Graph link (absolute) as the path and query of a request, so a base URL override still applies. */
export function linkRequest(link: string): { path: string; query: Record<string, string> } {
  const url = new URL(link, 'https://graph.microsoft.com');
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

function validationToken(url: string): string | undefined {
  try {
    return new URL(url, 'http://hub.invalid').searchParams.get('validationToken') ?? undefined;
  } catch {
    return undefined;
  }
}

export const graphChangeNotifications: InboundWebhookDefinition = {
  // Graph does not sign basic notifications: each carries the subscription's clientState, the
  // secret given when subscribing. The one-time validation request has no body and no
  // clientState; it is let through only to be answered by the handshake (it creates no event).
  verify(request, secrets) {
    if (validationToken(request.url) !== undefined && request.rawBody.length === 0) return verified;
    // Notifications are always JSON; anything else cannot hold a clientState. (This is also the
    // one header the scheme reads: the secret itself travels in the body.)
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return refused('notifications are sent as application/json');
    const notifications = (parseJsonBody(request) as { value?: unknown } | undefined)?.value;
    const list = Array.isArray(notifications) ? (notifications as { clientState?: unknown }[]) : [];
    if (list.length === 0) return refused('the body holds no notifications');
    for (const n of list) {
      if (typeof n.clientState !== 'string') return refused('a notification has no clientState');
      if (!matchesAny(secrets, [n.clientState])) return refused('the clientState does not match');
    }
    return verified;
  },
  handshake(request) {
    const token = validationToken(request.url);
    if (token === undefined || request.rawBody.length > 0) return undefined;
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: token };
  },
  // Notifications have no id of their own: the same batch delivered again is the same bytes.
  eventId: (request) => createHash('sha256').update(request.rawBody).digest('hex'),
  route(request) {
    const payload = parseJsonBody(request);
    // `#Microsoft.Graph.User` → user; else the resource's first segment (`Users/…`, `teams('…')/…`).
    const first = (payload as { value?: { resourceData?: Record<string, unknown> }[] } | undefined)?.value?.[0];
    const typed = first?.resourceData?.['@odata.type'];
    const odataType = typeof typed === 'string' && typed ? typed.replace(/^#?microsoft\.graph\./i, '') : undefined;
    const resource = (odataType ?? String(jsonField(payload, 'value.0.resource') ?? '').split(/[/(]/)[0]) || 'unknown';
    const change = jsonField(payload, 'value.0.changeType');
    return { eventType: change ? `${resource.toLowerCase()}.${change}` : resource.toLowerCase(), externalAccountId: jsonField(payload, 'value.0.tenantId'), payload };
  },
};
