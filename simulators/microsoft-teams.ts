/**
 * Microsoft Graph simulator for Teams channels (the Workflows webhook used by alerts is teams.ts):
 * - OAuth on the tenant's v2.0 endpoints and Graph's errors (microsoft-graph.ts);
 * - `GET /v1.0/teams/{team-id}/channels/{channel-id}` (`{ id, displayName, description, webUrl,
 *   membershipType }`): https://learn.microsoft.com/graph/api/channel-get;
 * - `GET …/messages/delta` (chatMessage delta: pages of `$top`, 50 by default here, linked by
 *   `@odata.nextLink`, then an `@odata.deltaLink`): https://learn.microsoft.com/graph/api/chatmessage-delta;
 * - `POST …/messages` (`{ body: { contentType, content }, attachments? }` → 201 with the message):
 *   https://learn.microsoft.com/graph/api/channel-post-messages;
 * - change notifications for channel messages, `clientState` in each: microsoft-graph.ts.
 */
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import { deltaPage, graphError, graphNotificationSigner, graphOauth, GRAPH_TENANT } from './microsoft-graph.ts';

const TEAM = '2b7c0000-0000-4000-8000-00000000c001';
const CHANNEL = '19:patchbaysim0000000000000001@thread.tacv2';

interface Message extends Record<string, unknown> {
  id: string;
  lastModifiedDateTime: string;
}

const messageUrl = (id: string) => `https://teams.microsoft.com/l/message/${encodeURIComponent(CHANNEL)}/${id}?groupId=${TEAM}`;

export default defineSimulator({
  key: 'microsoft-teams',
  credential: auth.bearer(),
  accepts: [],
  sample: { connectionConfig: { tenant: GRAPH_TENANT, teamId: TEAM, channelId: CHANNEL } },
  error: (kind, status) => graphError(status, kind),
  oauth: graphOauth('offline_access ChannelMessage.Read.All ChannelMessage.Send Channel.ReadBasic.All'),
  data: (options) => ({
    messages: fixtures<Message>(options, 'messages', 120, (i, at) => ({
      id: String(1_700_000_000_000 + i),
      replyToId: null,
      messageType: 'message',
      createdDateTime: String(at),
      lastModifiedDateTime: String(at),
      deletedDateTime: null,
      subject: i % 5 === 0 ? `Release ${i}` : null,
      importance: 'normal',
      webUrl: messageUrl(String(1_700_000_000_000 + i)),
      from: { user: { id: `6e5b0000-0000-4000-8000-${String(i % 20).padStart(12, '0')}`, displayName: `User ${i % 20}`, userIdentityType: 'aadUser' }, application: null },
      body: { contentType: 'html', content: `<p>Message ${i}</p>` },
      channelIdentity: { teamId: TEAM, channelId: CHANNEL },
      attachments: [],
    }), { updated: 'lastModifiedDateTime' }),
  }),
  routes: ({ messages }) => {
    const known = (params: Record<string, string>) => params.team === TEAM && params.channel === CHANNEL;
    return [
      {
        method: 'GET',
        path: '/v1.0/teams/:team/channels/:channel',
        handle: (req) => (known(req.params) ? { body: { id: CHANNEL, displayName: 'General', description: 'Patchbay simulator channel', webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(CHANNEL)}/General?groupId=${TEAM}`, membershipType: 'standard' } } : graphError(404, 'not_found')),
      },
      {
        method: 'GET',
        path: '/v1.0/teams/:team/channels/:channel/messages/delta',
        handle: (req) => (known(req.params) ? deltaPage(req, messages, (m) => Date.parse(m.lastModifiedDateTime), (m) => m, 'teams/channels/messages') : graphError(404, 'not_found')),
      },
      {
        method: 'POST',
        path: '/v1.0/teams/:team/channels/:channel/messages',
        handle: (req) => {
          if (!known(req.params)) return graphError(404, 'not_found');
          let body: { body?: { contentType?: string; content?: unknown }; attachments?: unknown[] };
          try {
            body = JSON.parse(req.rawBody) as typeof body;
          } catch {
            return graphError(400, 'bad_request', 'Unable to read JSON request payload.');
          }
          if (typeof body.body?.content !== 'string') return graphError(400, 'bad_request', 'Message body content is required.');
          const [created] = messages.add(1);
          const updated = messages.update((created as Message).id, (m) => ({ ...m, body: { contentType: body.body!.contentType === 'html' ? 'html' : 'text', content: body.body!.content as string }, attachments: body.attachments ?? [] }));
          return { status: 201, body: updated };
        },
      },
    ];
  },
  webhooks: { signer: graphNotificationSigner },
  profile: {
    proxyPath: `/v1.0/teams/${TEAM}/channels/${encodeURIComponent(CHANNEL)}`,
    records: { messages: { dataset: 'messages', count: 301 } },
    webhook: {
      secret: 'patchbay-sim-teams-client-state-0001',
      body: `{"value":[{"subscriptionId":"0f2b3c4d-0000-4000-8000-00000000c001","subscriptionExpirationDateTime":"2030-01-01T00:00:00Z","changeType":"created","resource":"teams('${TEAM}')/channels('${CHANNEL}')/messages('1700000000007')","resourceData":{"@odata.type":"#Microsoft.Graph.chatMessage","id":"1700000000007"},"clientState":"","tenantId":"${GRAPH_TENANT}"}]}`,
      signsBody: false,
    },
  },
});
