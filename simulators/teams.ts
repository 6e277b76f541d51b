/**
 * Microsoft Teams simulator: the Workflows webhook a channel's "Post to a channel when a webhook
 * request is received" flow gives out (the successor of Office 365 connector incoming webhooks).
 * Follows Microsoft's published references:
 * - Send Adaptive Cards using an Incoming Webhook (a `message` with an `attachments` list whose
 *   item has `contentType: application/vnd.microsoft.card.adaptive` and the card under `content`):
 *   https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
 * - Workflow HTTP triggers (`/workflows/{id}/triggers/manual/paths/invoke?api-version=…&sp=…&sv=…&sig=…`,
 *   the `sig` query parameter as the shared-access signature; 202 Accepted; errors as
 *   `{ "error": { "code", "message" } }`, e.g. `DirectApiAuthorizationRequired`, 429 with `Retry-After`):
 *   https://learn.microsoft.com/azure/logic-apps/logic-apps-http-endpoint
 * - Adaptive Card schema (`type: AdaptiveCard`, `version`, `body`): https://adaptivecards.io/explorer/
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorHandle, SimulatorOptions } from './support/handle.ts';
import { createControl, serveSimulator, type ErrorKind, type SimReply } from './support/server.ts';

export interface TeamsMessage {
  at: number;
  workflowId: string;
  /** The Adaptive Card of the (first) attachment. */
  card: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface TeamsSimulatorHandle extends SimulatorHandle {
  /** A webhook URL the simulator accepts (its `sig` is the accepted credential). */
  webhookUrl: string;
  messages: TeamsMessage[];
}

const WORKFLOW_ID = '0f7a3c1e5b8d4e2a9c6b1d3f5e7a9c0b';

function error(kind: ErrorKind, status: number): SimReply {
  const errors: Record<ErrorKind, [number, string, string]> = {
    unauthorized: [401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.'],
    forbidden: [403, 'AuthorizationFailed', 'The shared access signature is not valid for this workflow.'],
    not_found: [404, 'WorkflowNotFound', "The workflow could not be found."],
    rate_limited: [429, 'WorkflowRequestsThrottled', 'Rate limit is exceeded. Try again later.'],
    server_error: [status, 'ServiceUnavailable', 'The service is temporarily unavailable.'],
    bad_request: [400, 'InvalidRequestContent', 'The request content is not valid.'],
  };
  const [code, errorCode, message] = errors[kind];
  return { status: code, body: { error: { code: errorCode, message } } };
}

export async function startTeamsSimulator(options: SimulatorOptions = {}): Promise<TeamsSimulatorHandle> {
  const sig = options.credentials?.[0] ?? randomBytes(24).toString('base64url');
  const control = createControl([sig]);
  const messages: TeamsMessage[] = [];
  const server = await serveSimulator(
    {
      key: 'teams',
      credential: (req) => req.query.get('sig') ?? undefined,
      error,
      routes: [
        {
          method: 'POST',
          path: '/workflows/:workflowId/triggers/manual/paths/invoke',
          handle: (req) => {
            if (!req.query.get('api-version')) return error('bad_request', 400);
            let body: Record<string, unknown>;
            try {
              body = JSON.parse(req.rawBody) as Record<string, unknown>;
            } catch {
              return { status: 400, body: { error: { code: 'InvalidRequestContent', message: 'The request body is not valid JSON.' } } };
            }
            const attachments = Array.isArray(body.attachments) ? (body.attachments as Record<string, unknown>[]) : [];
            const card = attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content as Record<string, unknown> | undefined;
            if (body.type !== 'message' || !card || card.type !== 'AdaptiveCard' || !Array.isArray(card.body)) {
              return { status: 400, body: { error: { code: 'InvalidRequestContent', message: 'Expected a message with an Adaptive Card attachment (type AdaptiveCard with a body).' } } };
            }
            messages.push({ at: Date.now(), workflowId: req.params.workflowId!, card, body });
            return { status: 202, body: '' };
          },
        },
      ],
    },
    { ...options, control },
  );
  control.baseline();
  const webhookUrl = `${server.url}/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`;
  return {
    key: 'teams',
    url: server.url,
    baseUrl: server.url,
    webhookUrl,
    messages,
    sample: { credentials: { webhookUrl }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    close: server.close,
  };
}
