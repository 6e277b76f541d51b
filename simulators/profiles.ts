/**
 * Conformance profiles of the simulators written before the toolkit (those made with
 * `defineSimulator` carry their own): what the conformance suite sends through the proxy, the
 * records behind one synced model (three pages or more at the connector's page size), a webhook
 * body as the provider sends it with a source secret in the provider's format.
 */
import type { SimulatorProfile } from './support/handle.ts';
import { OKTA_PROFILE } from './okta.ts';
import { SAMPLE_WEBHOOK_SECRETS } from './webhooks/sender.ts';

const whsec = (text: string): string => 'whsec_' + Buffer.from(text).toString('base64');

export const LEGACY_PROFILES: Readonly<Record<string, SimulatorProfile>> = {
  'custom-oauth': { proxyPath: '/userinfo' },
  'custom-webhook': { webhook: { secret: whsec('patchbay-custom-webhook-secret'), body: '{"type":"order.paid","data":{"id":"ord_1"}}' } },
  github: {
    proxyPath: '/user',
    // 100 a page.
    records: { repositories: { dataset: 'repos', count: 301 } },
    webhook: { secret: 'github-sim-webhook-secret', body: '{"action":"opened","organization":{"id":42},"sender":{"id":7}}' },
  },
  hubspot: {
    proxyPath: '/account-info/v3/details',
    records: { contacts: { dataset: 'contacts', count: 301 } },
    webhook: { secret: 'hubspot-sim-client-secret', body: '[{"eventId":77,"portalId":62515,"subscriptionType":"contact.creation","objectId":1}]' },
  },
  intercom: { webhook: { secret: SAMPLE_WEBHOOK_SECRETS.intercom!, body: '{"type":"notification_event","id":"notif_1","topic":"conversation.user.created","app_id":"abc123"}' } },
  okta: OKTA_PROFILE,
  opsgenie: {
    proxyPath: '/v2/account',
    webhook: {
      secret: 'Basic b3BzZ2VuaWU6c2ltLXdlYmhvb2stc2VjcmV0',
      body: '{"action":"Create","alert":{"alertId":"70413a06-38d6-4c85-92b8-5ebc900d42e2","message":"Disk full","tags":[],"tinyId":"1791","alias":"disk-full","createdAt":1735689600000,"updatedAt":1735689600000000000,"username":"System"},"source":{"name":"","type":"api"},"integrationName":"Webhook","integrationId":"8096d7a4-2c34-4d6d-b4c7-d0cb9b1a0d2b","integrationType":"Webhook"}',
      signsBody: false,
    },
  },
  pagerduty: {
    proxyPath: '/abilities',
    records: { incidents: { dataset: 'incidents', count: 301 } },
    webhook: { secret: 'pagerduty-sim-webhook-secret', body: '{"event":{"id":"01DEN","event_type":"incident.triggered","data":{"id":"PGR0"}}}' },
    connectionConfig: { fromEmail: 'oncall@example.com' },
  },
  // 500 a page.
  pipedrive: { proxyPath: '/api/v1/users/me', records: { persons: { dataset: 'persons', count: 1_501 } } },
  // Query batches of 2,000.
  salesforce: { proxyPath: '/services/data/v62.0/query?q=SELECT+Id+FROM+Organization', records: { Account: { dataset: 'Account', count: 4_001 } } },
  segment: {
    proxyPath: '/sources?pagination.count=2',
    webhook: { secret: 'segment-sim-shared-secret', body: '{"type":"track","event":"Order Completed","messageId":"m-1","projectId":"p1"}' },
  },
  shopify: { webhook: { secret: SAMPLE_WEBHOOK_SECRETS.shopify!, body: '{"id":820982911946154508,"email":"jon@example.com"}' } },
  slack: {
    proxyPath: '/auth.test',
    webhook: { secret: 'slack-sim-signing-secret', body: '{"type":"event_callback","team_id":"T0SIM00001","event_id":"Ev01","event":{"type":"app_mention"}}' },
  },
  stripe: {
    proxyPath: '/v1/account',
    records: { customers: { dataset: 'customers', count: 301 } },
    webhook: { secret: 'whsec_stripe_sim_secret', body: '{"id":"evt_1","object":"event","type":"charge.succeeded","account":"acct_9","data":{"object":{"id":"ch_1"}}}' },
  },
  zendesk: { webhook: { secret: SAMPLE_WEBHOOK_SECRETS.zendesk!, body: '{"id":"e1","type":"zen:event-type:ticket.created","account_id":123,"detail":{"id":"5"}}' } },
};
