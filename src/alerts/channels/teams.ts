/**
 * Microsoft Teams: a channel's incoming webhook or a Workflows ("Post to a channel when a webhook
 * request is received") URL, sent a message with one Adaptive Card attachment. Webhooks cannot
 * edit a card, so each change is a new card.
 * Reference: https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
 * (Send Adaptive Cards using an Incoming Webhook), https://adaptivecards.io/explorer/
 */
import type { FieldError } from '../../core/index.ts';
import { headline, httpFailure, postJson, requireUrl, type AlertMessage, type ChannelSender, type SendAction } from './sender.ts';

const COLOURS = { critical: 'attention', warning: 'warning', info: 'accent' } as const;

export function adaptiveCard(action: SendAction, alert: AlertMessage): Record<string, unknown> {
  const facts = [
    { title: 'Severity', value: alert.severity },
    { title: 'Rule', value: alert.rule },
    ...(alert.subjectId ? [{ title: alert.subjectType ?? 'Subject', value: alert.subjectId }] : []),
    { title: 'Status', value: action === 'resolve' ? 'resolved' : action === 'acknowledge' ? `acknowledged by ${alert.acknowledgedBy ?? 'someone'}` : alert.status },
  ];
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', size: 'Large', weight: 'Bolder', wrap: true, color: action === 'resolve' ? 'good' : COLOURS[alert.severity], text: headline(action, alert) },
      { type: 'TextBlock', wrap: true, text: alert.message },
      { type: 'FactSet', facts },
    ],
    actions: [{ type: 'Action.OpenUrl', title: 'Open in Patchbay', url: alert.link }],
  };
}

export const teamsSender: ChannelSender = {
  secretFields: ['webhookUrl'],
  validate(_config, secrets) {
    const errors: FieldError[] = [];
    requireUrl(errors, '/secrets/webhookUrl', secrets.webhookUrl);
    return errors;
  },
  urls: (_config, secrets) => [secrets.webhookUrl!],
  async send(input) {
    const body = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(input.action, input.alert) }] };
    const answer = await postJson('Microsoft Teams', input.secrets.webhookUrl!, body, input);
    if (answer.status < 200 || answer.status >= 300) throw httpFailure('Microsoft Teams', answer);
    return undefined;
  },
};
