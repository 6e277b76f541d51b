/**
 * Slack: an incoming webhook (`webhookUrl`), or a bot token (`botToken`) posting with
 * `chat.postMessage` to `config.channel`. The message is Block Kit inside an attachment whose
 * colour is the severity's. With a bot token, acknowledging and resolving update that same
 * message (`chat.update` on its `ts`) and resolving also replies in its thread; an incoming
 * webhook cannot edit what it posted, so it posts the change as a new message.
 * References: https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks,
 * https://docs.slack.dev/reference/methods/chat.postMessage, https://docs.slack.dev/reference/methods/chat.update
 */
import type { FieldError } from '../../core/index.ts';
import { ChannelError, headline, httpFailure, postJson, requireUrl, RESOLVED_COLOUR, SEVERITY_COLOURS, str, type AlertMessage, type ChannelSender, type SendAction, type SendInput } from './sender.ts';

const DEFAULT_API_URL = 'https://slack.com/api';

function blocks(action: SendAction, alert: AlertMessage): Record<string, unknown> {
  const colour = action === 'resolve' ? RESOLVED_COLOUR : SEVERITY_COLOURS[alert.severity];
  const state =
    action === 'resolve' ? `Resolved${alert.resolvedBy ? ` by ${alert.resolvedBy}` : ''}` : action === 'acknowledge' ? `Acknowledged by ${alert.acknowledgedBy ?? 'someone'}` : `Open since ${alert.openedAt.toISOString()}`;
  const fields = [
    { type: 'mrkdwn', text: `*Severity*\n${alert.severity}` },
    { type: 'mrkdwn', text: `*Rule*\n${alert.rule}` },
    ...(alert.subjectId ? [{ type: 'mrkdwn', text: `*${alert.subjectType ?? 'Subject'}*\n${alert.subjectLink ? `<${alert.subjectLink}|${alert.subjectId}>` : alert.subjectId}` }] : []),
    { type: 'mrkdwn', text: `*Status*\n${state}` },
  ];
  return {
    color: colour,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${headline(action, alert)}*\n${alert.message}` } },
      { type: 'section', fields },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Patchbay' }, url: alert.link }] },
    ],
  };
}

const payload = (action: SendAction, alert: AlertMessage) => ({ text: headline(action, alert), attachments: [blocks(action, alert)] });

async function viaWebhook(input: SendInput): Promise<undefined> {
  const answer = await postJson('Slack', input.secrets.webhookUrl!, payload(input.action, input.alert), input);
  if (answer.status !== 200) throw httpFailure('Slack', answer);
  return undefined;
}

async function callMethod(input: SendInput, method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const base = (str(input.config.apiUrl) ?? DEFAULT_API_URL).replace(/\/$/, '');
  const answer = await postJson('Slack', `${base}/${method}`, body, { ...input, headers: { authorization: `Bearer ${input.secrets.botToken}` } });
  if (answer.status !== 200) throw httpFailure('Slack', answer);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    throw new ChannelError(`Slack answered ${method} with something that is not JSON`, true);
  }
  if (parsed.ok !== true) {
    const error = String(parsed.error ?? 'unknown_error');
    throw new ChannelError(`Slack refused ${method}: ${error}`, ['ratelimited', 'internal_error', 'service_unavailable', 'fatal_error'].includes(error));
  }
  return parsed;
}

async function viaBot(input: SendInput): Promise<Record<string, string> | undefined> {
  const channel = str(input.config.channel)!;
  const ref = input.ref;
  if ((input.action === 'acknowledge' || input.action === 'resolve') && ref?.ts) {
    await callMethod(input, 'chat.update', { channel: ref.channel, ts: ref.ts, ...payload(input.action, input.alert) });
    if (input.action === 'resolve') await callMethod(input, 'chat.postMessage', { channel: ref.channel, thread_ts: ref.ts, text: `Resolved: ${input.alert.title}` });
    return ref;
  }
  if (input.action === 'repeat' && ref?.ts) {
    await callMethod(input, 'chat.postMessage', { channel: ref.channel, thread_ts: ref.ts, text: `Still open: ${input.alert.title}` });
    return ref;
  }
  const posted = await callMethod(input, 'chat.postMessage', { channel, ...payload(input.action, input.alert) });
  return { channel: String(posted.channel ?? channel), ts: String(posted.ts) };
}

export const slackSender: ChannelSender = {
  secretFields: ['webhookUrl', 'botToken'],
  validate(config, secrets) {
    const errors: FieldError[] = [];
    if (secrets.botToken) {
      if (!str(config.channel)) errors.push({ field: '/config/channel', message: 'is required with a bot token (a channel id or name)' });
      if (config.apiUrl !== undefined) requireUrl(errors, '/config/apiUrl', config.apiUrl);
    } else if (secrets.webhookUrl) requireUrl(errors, '/secrets/webhookUrl', secrets.webhookUrl);
    else errors.push({ field: '/secrets', message: 'needs webhookUrl (an incoming webhook) or botToken (with config.channel)' });
    return errors;
  },
  urls: (config, secrets) => (secrets.botToken ? [str(config.apiUrl) ?? DEFAULT_API_URL] : [secrets.webhookUrl!]),
  send: (input) => (input.secrets.botToken ? viaBot(input) : viaWebhook(input)),
};
