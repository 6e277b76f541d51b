import { Compile } from 'typebox/compile';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  ConnectorManifestSchema,
  defineConnector,
  getConnector,
  listConnectors,
  loadRegistry,
  monogramIcon,
  registerDeclarativeConnector,
  resolveOAuthEndpoints,
  validateManifest,
  type ConnectorRegistry,
} from '../../src/connectors/index.ts';
import { SIMULATORS } from '../../simulators/index.ts';

const TEN = ['custom-oauth', 'custom-webhook', 'github', 'hubspot', 'okta', 'pagerduty', 'salesforce', 'segment', 'slack', 'stripe'];
// Webhook-only providers added by the inbound webhooks issue, Pipedrive by the syncs issue, and the catalog issue's.
const FIRST = [...TEN, 'intercom', 'paddle', 'pipedrive', 'shopify', 'svix', 'twilio', 'zendesk'];
const CATALOG = ['amplitude', 'auth0', 'datadog', 'discord', 'freshdesk', 'gumroad', 'mixpanel', 'opsgenie', 'sendgrid', 'sentry', 'vercel'];
// Added by the catalog issue's second round.
const MORE = ['dify', 'entra-id', 'google-analytics', 'kubernetes', 'linear', 'microsoft-teams', 'openai', 'supabase'];
// Databases and SMTP, from the catalog issue's third round.
const PROTOCOLS = ['email', 'postgres'];
// Added by the catalog issue's third round (token exchange, and the simulators of Paddle, Svix and Twilio).
const THIRD = ['airtable', 'asana', 'docker-hub', 'jira', 'mailchimp', 'notion', 'paypal'];
const ALL = [...FIRST, ...CATALOG, ...MORE, ...PROTOCOLS, ...THIRD].sort();

let registry: ConnectorRegistry;
beforeAll(async () => {
  registry = await loadRegistry();
});

describe('the catalog', () => {
  it('loads every connector of the catalog', () => {
    expect(listConnectors().map((c) => c.key).sort()).toEqual(ALL);
  });

  it.each(ALL)('has a manifest for %s that validates again from its JSON form', (key) => {
    const connector = getConnector(key)!;
    const json = JSON.parse(JSON.stringify(connector.manifest)) as unknown;
    const result = validateManifest(json);
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(CATEGORIES).toContain(connector.manifest.category);
    expect(connector.manifest.icon).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(registry.sourceOf(key)).toMatch(new RegExp(`catalog/${key}\\.ts$`));
    expect(Compile(ConnectorManifestSchema).Check(json)).toBe(true);
  });

  it('has a simulator for every connector', () => {
    expect(Object.keys(SIMULATORS).sort()).toEqual(ALL);
  });

  it('parses rate limits into a typed value', () => {
    expect(getConnector('hubspot')!.rateLimit).toEqual({ limit: 110, windowMs: 10_000, text: '110/10 seconds' });
    expect(getConnector('pagerduty')!.rateLimit).toEqual({ limit: 960, windowMs: 60_000, text: '960/minute' });
    expect(getConnector('custom-webhook')!.rateLimit).toBeUndefined();
  });

  it('fills OAuth defaults: PKCE on, space-separated scopes, bearer injection', () => {
    const hubspot = getConnector('hubspot')!.manifest;
    expect(hubspot.connectionMode).toBe('oauth');
    if (hubspot.connectionMode !== 'oauth') return;
    expect(hubspot.auth.pkce).toBe(true);
    expect(hubspot.auth.scopeSeparator).toBe(' ');
    expect(hubspot.auth.inject).toEqual({ in: 'header', name: 'Authorization', format: 'Bearer {accessToken}' });
    const slack = getConnector('slack')!.manifest;
    expect(slack.connectionMode === 'oauth' && slack.auth.scopeSeparator).toBe(',');
  });

  it('keeps Salesforce instance_url and fills templated OAuth URLs from configuration', () => {
    const salesforce = getConnector('salesforce')!.manifest;
    expect(salesforce.connectionMode === 'oauth' && salesforce.auth.tokenResponseFields).toContain('instance_url');
    expect(resolveOAuthEndpoints(getConnector('okta')!.manifest, { domain: 'acme.okta.com' })).toEqual({
      authorizationUrl: 'https://acme.okta.com/oauth2/v1/authorize',
      tokenUrl: 'https://acme.okta.com/oauth2/v1/token',
      revocationUrl: 'https://acme.okta.com/oauth2/v1/revoke',
      issuer: 'https://acme.okta.com',
    });
  });

  it('leaves out a custom provider revocation URL when the integration has none', () => {
    const endpoints = resolveOAuthEndpoints(getConnector('custom-oauth')!.manifest, {
      authorizationUrl: 'https://id.example.com/authorize',
      tokenUrl: 'https://id.example.com/token',
    });
    expect(endpoints).toEqual({ authorizationUrl: 'https://id.example.com/authorize', tokenUrl: 'https://id.example.com/token' });
  });
});

describe('listConnectors', () => {
  it('filters by category', () => {
    expect(listConnectors({ category: 'crm' }).map((c) => c.key)).toEqual(['hubspot', 'pipedrive', 'salesforce']);
  });

  it('filters by capability', () => {
    const keys = listConnectors({ capability: 'identity' }).map((c) => c.key);
    expect(keys).toEqual(expect.arrayContaining(['auth0', 'okta']));
    expect(keys.every((key) => getConnector(key)!.manifest.capabilities.includes('identity'))).toBe(true);
    expect(listConnectors({ capability: 'webhooks' }).length).toBeGreaterThan(5);
  });

  it('searches key, name and description, every word having to match', () => {
    expect(listConnectors({ q: 'pagerduty' }).map((c) => c.key)).toEqual(['pagerduty']);
    expect(listConnectors({ q: 'ON-CALL schedules' }).map((c) => c.key)).toEqual(['pagerduty']);
    expect(listConnectors({ q: 'oauth provider' }).map((c) => c.key)).toEqual(['custom-oauth']);
    expect(listConnectors({ q: 'nothing-like-this' })).toEqual([]);
  });

  it('combines filters', () => {
    expect(listConnectors({ category: 'crm', q: 'org' }).map((c) => c.key)).toEqual(['salesforce']);
    const keyMetrics = listConnectors({ connectionMode: 'apiKey', capability: 'metrics' });
    expect(keyMetrics.map((c) => c.key)).toEqual(expect.arrayContaining(['pagerduty', 'stripe', 'datadog']));
    expect(keyMetrics.every((c) => c.manifest.connectionMode === 'apiKey' && c.manifest.capabilities.includes('metrics'))).toBe(true);
    expect(keyMetrics.map((c) => c.key)).not.toContain('mixpanel');
  });
});

describe('declarative connectors', () => {
  const manifest = {
    key: 'acme-status',
    name: 'Acme Status',
    description: 'Status pages of Acme, described without code.',
    category: 'ops',
    icon: monogramIcon('AS', '#123456'),
    capabilities: ['proxy'],
    connectionMode: 'apiKey',
    auth: {
      fields: { apiKey: { label: 'API key', secret: true } },
      inject: { in: 'query', name: 'api_key', format: '{apiKey}' },
    },
    baseUrls: { production: 'https://status.acme.example' },
    docsUrl: 'https://status.acme.example/docs',
    test: { path: '/v1/me', accountInfo: { id: 'account.id', name: 'account.name' } },
  };

  it('registers a provider from JSON at run time', () => {
    const connector = registerDeclarativeConnector(JSON.stringify(manifest));
    expect(connector.declarative).toBe(true);
    expect(getConnector('acme-status')).toBe(connector);
    expect(listConnectors({ category: 'ops' }).map((c) => c.key)).toContain('acme-status');
  });

  it('refuses a declarative provider whose key is taken', () => {
    expect(() => registerDeclarativeConnector({ ...manifest, key: 'stripe' })).toThrow(/"stripe" is already the key of .*catalog\/stripe\.ts/);
  });

  it('refuses an invalid declarative provider with the same validation as the catalog', () => {
    expect(() => registerDeclarativeConnector({ ...manifest, key: 'acme-2', category: 'weather' })).toThrow(/category: must be one of analytics/);
    expect(() => registerDeclarativeConnector('{ not json')).toThrow(/is not valid JSON/);
  });

  it('accepts a plain object in defineConnector', () => {
    const connector = defineConnector({ ...manifest, key: 'acme-plain' } as Parameters<typeof defineConnector>[0]);
    expect(connector.manifest.key).toBe('acme-plain');
  });
});

describe('defineConnector typing', () => {
  it('types ctx.config from the configuration fields', () => {
    const connector = defineConnector({
      key: 'typed',
      name: 'Typed',
      description: 'Checks config typing.',
      category: 'dev',
      icon: monogramIcon('T', '#000'),
      capabilities: ['proxy'],
      connectionMode: 'apiKey',
      auth: { fields: { apiKey: { label: 'API key', secret: true } }, inject: { in: 'header', name: 'X-Key', format: '{apiKey}' } },
      connectionConfig: { region: { label: 'Region' }, team: { label: 'Team', required: false } },
      baseUrls: { production: 'https://{region}.typed.example' },
      docsUrl: 'https://typed.example',
      async testConnection(ctx) {
        const region: string = ctx.config.region;
        // @ts-expect-error an optional field may be undefined
        const team: string = ctx.config.team;
        // @ts-expect-error no such field
        void ctx.config.regoin;
        return { ok: true, accountInfo: { name: `${region}/${team}` } };
      },
    });
    expect(connector.key).toBe('typed');
  });
});
