/**
 * Microsoft Teams: messages of a team's channel through Microsoft Graph, connected with OAuth, and
 * Graph change notifications for new messages. (Alerts post to Teams through a channel's Workflows
 * webhook instead; see the alert channels.) References: OAuth 2.0 on the tenant's identity
 * platform endpoints: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow;
 * get a channel (`GET /v1.0/teams/{team-id}/channels/{channel-id}`):
 * https://learn.microsoft.com/graph/api/channel-get; channel messages by delta query
 * (`GET /v1.0/teams/{team-id}/channels/{channel-id}/messages/delta`, `@odata.nextLink` then
 * `@odata.deltaLink`): https://learn.microsoft.com/graph/api/chatmessage-delta; send a message
 * (`POST …/messages` with `{ body: { contentType, content } }`, Adaptive Cards as attachments):
 * https://learn.microsoft.com/graph/api/channel-post-messages; change notifications for
 * `/teams/{id}/channels/{id}/messages`: https://learn.microsoft.com/graph/teams-changenotifications-chatmessage
 */
import { Type } from 'typebox';
import type { SyncContext, SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, type ConnectorContext } from '../sdk.ts';
import { graphChangeNotifications, linkRequest } from './_microsoft-graph.ts';

interface ChatMessage {
  id: string;
  messageType: string;
  createdDateTime: string;
  lastModifiedDateTime?: string | null;
  deletedDateTime?: string | null;
  subject?: string | null;
  webUrl?: string | null;
  from?: { user?: { id: string; displayName?: string | null } | null; application?: { displayName?: string | null } | null } | null;
  body: { contentType: 'text' | 'html'; content: string };
}

interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const channelPath = (ctx: Pick<ConnectorContext, 'config'>): string => `/v1.0/teams/${encodeURIComponent(ctx.config.teamId!)}/channels/${encodeURIComponent(ctx.config.channelId!)}`;
const Text = Type.Union([Type.String(), Type.Null()]);

/** Messages by delta query: every page on the first run, then what changed since the kept deltaLink. */
async function readMessages(ctx: SyncContext): Promise<void> {
  const checkpoint = (await ctx.checkpoint.get<{ next?: string; delta?: string }>()) ?? {};
  const link = checkpoint.next ?? (ctx.full ? undefined : checkpoint.delta);
  let request = link ? linkRequest(link) : { path: `${channelPath(ctx)}/messages/delta`, query: {} };
  for (;;) {
    const { body } = expectOk(await ctx.http.request<GraphPage<ChatMessage>>(request));
    await ctx.batchSave(
      body.value
        .filter((m) => !m.deletedDateTime)
        .map((m) => ({
          externalId: m.id,
          data: { id: m.id, type: m.messageType, subject: m.subject ?? null, from: m.from?.user?.displayName ?? m.from?.application?.displayName ?? null, contentType: m.body.contentType, content: m.body.content, url: m.webUrl ?? null, createdAt: m.createdDateTime },
          updatedAt: m.lastModifiedDateTime ?? m.createdDateTime,
        })),
    );
    const next = body['@odata.nextLink'];
    if (!next) {
      await ctx.checkpoint.save({ delta: body['@odata.deltaLink'] ?? checkpoint.delta });
      return;
    }
    await ctx.checkpoint.save({ next, delta: checkpoint.delta });
    request = linkRequest(next);
  }
}

const messages: SyncDefinition = {
  model: 'messages',
  description: 'Messages of the channel (top-level posts)',
  schema: Type.Object({ id: Type.String(), type: Type.String(), subject: Text, from: Text, contentType: Type.String(), content: Type.String(), url: Text, createdAt: Type.String() }),
  frequency: 'every 30m',
  dataStrategy: 'events',
  exec: readMessages,
};

export default defineConnector({
  key: 'microsoft-teams',
  name: 'Microsoft Teams',
  description: 'Messages of a Teams channel through Microsoft Graph, connected with OAuth, and change notifications when messages are posted.',
  category: 'communication',
  icon: monogramIcon('Te', '#4b53bc'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'oauth',
  connectionConfig: {
    tenant: {
      label: 'Tenant',
      help: 'The directory (tenant) ID or a verified domain of the organization that owns the team; "organizations" for any work account.',
      placeholder: 'contoso.onmicrosoft.com',
      pattern: '[A-Za-z0-9][A-Za-z0-9.-]{1,253}',
      patternHint: 'is a tenant ID (a GUID), a domain such as contoso.onmicrosoft.com, or "organizations"',
    },
    teamId: { label: 'Team ID', help: 'In Teams: the team’s … menu → Get link to team; the groupId parameter of the link.', pattern: '[0-9a-fA-F-]{36}', patternHint: 'is a GUID' },
    channelId: { label: 'Channel ID', help: 'In Teams: the channel’s … menu → Get link to channel; the part after /channel/, decoded (19:…@thread.tacv2).', pattern: '19:[^\\s]+@thread\\.(tacv2|skype)', patternHint: 'looks like 19:…@thread.tacv2' },
  },
  auth: {
    authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
    scopes: ['offline_access', 'ChannelMessage.Read.All', 'ChannelMessage.Send', 'Channel.ReadBasic.All'],
  },
  baseUrls: { production: 'https://graph.microsoft.com' },
  // No rateLimit: Teams APIs in Graph are throttled per app, tenant and resource; 429s carry Retry-After.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Channel messages' }],
  docsUrl: 'https://learn.microsoft.com/graph/api/resources/teams-api-overview',
  syncs: [messages],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ id: string; displayName: string; webUrl?: string }>({ path: channelPath(ctx) }));
    return connected({ id: body.id, name: body.displayName, team: ctx.config.teamId });
  },

  webhooks: graphChangeNotifications,
});
