/**
 * Opsgenie Alert API: create an alert whose alias is the Patchbay alert's dedup key, then
 * acknowledge and close it by that alias (`identifierType=alias`). Requests are asynchronous
 * (202 with a requestId). Authentication: `Authorization: GenieKey <API integration key>`.
 * Reference: https://docs.opsgenie.com/docs/alert-api (Create, Acknowledge, Close Alert)
 */
import type { FieldError } from '../../core/index.ts';
import { headline, httpFailure, postJson, requireUrl, str, type ChannelSender } from './sender.ts';

const DEFAULT_API_URL = 'https://api.opsgenie.com';
const PRIORITY = { critical: 'P1', warning: 'P3', info: 'P5' } as const;

export const opsgenieSender: ChannelSender = {
  secretFields: ['apiKey'],
  validate(config, secrets) {
    const errors: FieldError[] = [];
    if (!str(secrets.apiKey)) errors.push({ field: '/secrets/apiKey', message: 'is required (an API integration key)' });
    if (config.apiUrl !== undefined) requireUrl(errors, '/config/apiUrl', config.apiUrl);
    return errors;
  },
  urls: (config) => [str(config.apiUrl) ?? DEFAULT_API_URL],
  async send(input) {
    const { alert, action } = input;
    const base = (str(input.config.apiUrl) ?? DEFAULT_API_URL).replace(/\/$/, '');
    const alias = action === 'test' ? `patchbay-test-${alert.id}` : alert.dedupKey;
    const headers = { authorization: `GenieKey ${input.secrets.apiKey}` };
    const byAlias = (verb: string) => `${base}/v2/alerts/${encodeURIComponent(alias)}/${verb}?identifierType=alias`;
    const answer =
      action === 'acknowledge'
        ? await postJson('Opsgenie', byAlias('acknowledge'), { source: 'Patchbay', user: alert.acknowledgedBy ?? 'Patchbay', note: 'Acknowledged in Patchbay' }, { ...input, headers })
        : action === 'resolve'
          ? await postJson('Opsgenie', byAlias('close'), { source: 'Patchbay', user: alert.resolvedBy ?? 'Patchbay', note: 'Resolved in Patchbay' }, { ...input, headers })
          : await postJson(
              'Opsgenie',
              `${base}/v2/alerts`,
              {
                message: headline(action, alert).slice(0, 130),
                alias: alias.slice(0, 512),
                description: `${alert.message}\n\n${alert.link}`.slice(0, 15_000),
                priority: PRIORITY[alert.severity],
                source: 'Patchbay',
                entity: alert.subjectId ?? undefined,
                tags: ['patchbay', alert.rule],
                details: { alertId: alert.id, rule: alert.rule, link: alert.link },
              },
              { ...input, headers },
            );
    if (answer.status !== 202 && answer.status !== 200) throw httpFailure('Opsgenie', answer);
    return { alias };
  },
};
