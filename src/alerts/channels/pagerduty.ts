/**
 * PagerDuty Events API v2: `trigger`, `acknowledge` and `resolve` events to `/v2/enqueue` with an
 * integration's routing key, all carrying the alert's dedup key, so PagerDuty keeps one incident
 * per cause and closes it when Patchbay resolves the alert.
 * Reference: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/,
 * https://developer.pagerduty.com/docs/events-api-v2/acknowledge-events/, …/resolve-events/
 */
import type { FieldError } from '../../core/index.ts';
import { ChannelError, headline, httpFailure, postJson, requireUrl, str, type ChannelSender } from './sender.ts';

const DEFAULT_EVENTS_URL = 'https://events.pagerduty.com';
const SEVERITY = { critical: 'critical', warning: 'warning', info: 'info' } as const;

export const pagerdutySender: ChannelSender = {
  secretFields: ['routingKey'],
  validate(config, secrets) {
    const errors: FieldError[] = [];
    if (!/^[A-Za-z0-9]{32}$/.test(secrets.routingKey ?? '')) errors.push({ field: '/secrets/routingKey', message: 'must be an Events API v2 integration key (32 letters and digits)' });
    if (config.eventsUrl !== undefined) requireUrl(errors, '/config/eventsUrl', config.eventsUrl);
    return errors;
  },
  urls: (config) => [str(config.eventsUrl) ?? DEFAULT_EVENTS_URL],
  async send(input) {
    const { alert, action } = input;
    const base = (str(input.config.eventsUrl) ?? DEFAULT_EVENTS_URL).replace(/\/$/, '');
    const eventAction = action === 'acknowledge' ? 'acknowledge' : action === 'resolve' ? 'resolve' : 'trigger';
    const dedupKey = action === 'test' ? `patchbay-test-${alert.id}` : alert.dedupKey;
    const body: Record<string, unknown> = { routing_key: input.secrets.routingKey, event_action: eventAction, dedup_key: dedupKey };
    if (eventAction === 'trigger') {
      body.payload = {
        summary: headline(action, alert).slice(0, 1024),
        source: alert.subjectId ?? 'patchbay',
        severity: SEVERITY[alert.severity],
        component: alert.subjectType ?? undefined,
        class: alert.rule,
        custom_details: { message: alert.message, alertId: alert.id, rule: alert.rule },
      };
      body.client = 'Patchbay';
      body.client_url = alert.link;
      body.links = [{ href: alert.link, text: 'Open in Patchbay' }];
    }
    const answer = await postJson('PagerDuty', `${base}/v2/enqueue`, body, input);
    if (answer.status !== 202) {
      if (answer.status === 400) throw new ChannelError(`PagerDuty refused the event (HTTP 400): ${answer.text.slice(0, 200)}`, false, 400);
      throw httpFailure('PagerDuty', answer);
    }
    return { dedupKey };
  },
};
