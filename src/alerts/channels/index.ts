/** The channel types, found by name: adding one is a file here and a line below. */
import type { ChannelType } from '../schema.ts';
import { emailSender } from './email.ts';
import { opsgenieSender } from './opsgenie.ts';
import { pagerdutySender } from './pagerduty.ts';
import type { ChannelSender } from './sender.ts';
import { slackSender } from './slack.ts';
import { teamsSender } from './teams.ts';

export const SENDERS: Readonly<Record<ChannelType, ChannelSender>> = {
  slack: slackSender,
  teams: teamsSender,
  pagerduty: pagerdutySender,
  opsgenie: opsgenieSender,
  email: emailSender,
};

export const CHANNEL_TYPES = Object.keys(SENDERS) as ChannelType[];

export { ChannelError, type AlertMessage, type ChannelSender, type SendAction, type SendInput } from './sender.ts';
