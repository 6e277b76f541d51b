/**
 * Segment: sources, destinations and tracking plans of a Segment workspace, through the Public
 * API with a workspace token. API reference: https://docs.segmentapis.com (authentication,
 * workspaces, errors, rate limits, pagination).
 */
import { connected, defineConnector, expectOk, monogramIcon, hmac, bodyField, jsonField, matchesAny, parseJsonBody, refused, verified } from '../sdk.ts';

interface WorkspaceResponse {
  data: { workspace: { id: string; name: string; slug: string } };
}

export default defineConnector({
  key: 'segment',
  name: 'Segment',
  description: 'Sources, destinations and tracking plans of a Segment workspace, managed through the Public API with a workspace token.',
  category: 'analytics',
  icon: monogramIcon('Sg', '#52bd94'),
  capabilities: ['proxy', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiToken: {
        label: 'Public API token',
        help: 'In Segment: Settings → Workspace settings → Access Management → Tokens → Create token (Public API). Only workspace owners can create one.',
        placeholder: 'sgp_…',
        pattern: 'sgp_[A-Za-z0-9]{16,}',
        patternHint: 'starts with sgp_ (a Public API token, not a Config API token or a source write key)',
        secret: true,
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiToken}' },
  },
  // Workspaces live in one region; EU workspaces have their own host.
  baseUrls: { production: 'https://api.segmentapis.com', eu: 'https://eu1.api.segmentapis.com' },
  requestHeaders: { Accept: 'application/vnd.segment.v1+json' },
  // No rateLimit: Segment sets limits per token, IP and endpoint cost without publishing a number;
  // its 429 answers say how long to wait.
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Event sources' }],
  docsUrl: 'https://docs.segmentapis.com',

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<WorkspaceResponse>({ path: '/' }));
    const workspace = body.data.workspace;
    return connected({ id: workspace.id, name: workspace.name, slug: workspace.slug });
  },


  // Webhooks destination (https://segment.com/docs/connections/destinations/catalog/webhooks/):
  // `X-Signature: <hex HMAC-SHA1 of the body>` keyed by the destination's shared secret.
  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['x-signature'];
      if (!signature) return refused('the X-Signature header is missing');
      const expected = secrets.map((secret) => hmac('sha1', secret, request.rawBody).toString('hex'));
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => bodyField(request, 'messageId'),
    route(request) {
      const payload = parseJsonBody(request);
      const type = jsonField(payload, 'type') ?? 'unknown';
      return { eventType: type === 'track' ? (jsonField(payload, 'event') ?? type) : type, externalAccountId: jsonField(payload, 'projectId'), payload };
    },
  },
});
