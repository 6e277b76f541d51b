/**
 * What makes an integration fit its connector: the checks run before one is stored or changed.
 * Everything about the draft is checked against the manifest first (a 400 naming each field),
 * then every configured URL goes through the SSRF guard (a 422).
 */
import { hostUrl, problems, type FieldError, type Resolver } from '../core/index.ts';
import { checkFieldValues, isRateLimit, type Connector, type Fields } from '../connectors/index.ts';
import type { IntegrationSettingsInput, OAuthUrlOverrides } from './schema.ts';
import { checkConfiguredUrls, type UrlToCheck } from './urls.ts';

const KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SCOPE = /^\S{1,200}$/;

/** Splits values by the `secret` flag of their fields: secret ones go to the vault. */
export function splitSecretValues(fields: Fields, values: Record<string, string>): { plain: Record<string, string>; secret: Record<string, string> } {
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) (fields[name]?.secret ? secret : plain)[name] = value;
  return { plain, secret };
}

/**
 * The configuration values that become hosts — URL fields and host-name fields (an Okta domain,
 * a Salesforce login host) — as URLs for the SSRF guard, so they pass the same address policy
 * when saved as when used. Every config field a manifest's URL templates use has one of these two
 * formats (test/security/ssrf-at-save.test.ts holds every connector to it).
 */
export function urlFields(fields: Fields, values: Record<string, string>, at: string): UrlToCheck[] {
  return Object.entries(values).flatMap(([name, value]) => {
    const format = fields[name]?.format;
    if (format === 'url') return [{ field: `${at}/${name}`, url: value }];
    if (format === 'hostname') return [{ field: `${at}/${name}`, url: hostUrl(value) }];
    return [];
  });
}

export interface Draft {
  key: string;
  name: string;
  enabled: boolean;
  clientId: string | null;
  scopes: string[] | null;
  oauthUrls: OAuthUrlOverrides;
  baseUrl: string | null;
  providerEnvironment: string;
  config: Record<string, string | undefined>;
  settings: IntegrationSettingsInput;
}

/** Checks a whole draft against the manifest; returns the configuration split for storage. */
export async function checkDraft(
  connector: Connector,
  draft: Draft,
  context: { allowPrivateNetworks: boolean; resolve?: Resolver | undefined; oauthFieldsGiven: string[] },
): Promise<{ plain: Record<string, string>; secret: Record<string, string> }> {
  const { manifest } = connector;
  const errors: FieldError[] = [];
  if (!KEY.test(draft.key)) errors.push({ field: '/key', message: 'must be lowercase letters, digits and dashes (1 to 63 characters)' });
  if (manifest.connectionMode === 'oauth') {
    if (!draft.clientId) errors.push({ field: '/clientId', message: `is required: ${manifest.name} connects with OAuth, so the integration needs the OAuth app's client id` });
    const overrides = Object.values(draft.oauthUrls).filter(Boolean).length;
    if (overrides > 0 && !(draft.oauthUrls.authorizationUrl && draft.oauthUrls.tokenUrl)) {
      errors.push({
        field: '/oauthUrls',
        message: "replaces the connector's endpoints as a set: give authorizationUrl and tokenUrl (and revocationUrl and issuer when the provider has them)",
      });
    }
    for (const [i, scope] of (draft.scopes ?? []).entries()) {
      if (!SCOPE.test(scope)) errors.push({ field: `/scopes/${i}`, message: 'must be one scope without spaces' });
    }
  } else {
    for (const field of context.oauthFieldsGiven) {
      errors.push({ field: `/${field}`, message: `is for OAuth connectors; ${manifest.name} connects with ${manifest.connectionMode}` });
    }
  }
  const environments = Object.keys(manifest.baseUrls);
  if (environments.length > 0 ? !environments.includes(draft.providerEnvironment) : draft.providerEnvironment !== 'production') {
    errors.push({ field: '/providerEnvironment', message: `must be one of ${(environments.length ? environments : ['production']).join(', ')}` });
  }
  const { settings } = draft;
  if (settings.timeoutMs !== undefined && !(Number.isInteger(settings.timeoutMs) && settings.timeoutMs >= 1_000 && settings.timeoutMs <= 300_000)) {
    errors.push({ field: '/settings/timeoutMs', message: 'must be a whole number of milliseconds from 1000 to 300000' });
  }
  if (settings.retryAttempts !== undefined && !(Number.isInteger(settings.retryAttempts) && settings.retryAttempts >= 0 && settings.retryAttempts <= 10)) {
    errors.push({ field: '/settings/retryAttempts', message: 'must be a whole number from 0 to 10' });
  }
  if (typeof settings.rateLimit === 'string' && !isRateLimit(settings.rateLimit)) {
    errors.push({ field: '/settings/rateLimit', message: 'must look like 100/minute or 110/10 seconds' });
  }
  const checked = checkFieldValues(manifest.integrationConfig, draft.config, '/config');
  errors.push(...checked.errors);
  if (errors.length > 0) throw problems.validation(errors);

  const urls: UrlToCheck[] = [
    ...(draft.baseUrl ? [{ field: '/baseUrl', url: draft.baseUrl }] : []),
    ...Object.entries(draft.oauthUrls).flatMap(([name, url]) => (url ? [{ field: `/oauthUrls/${name}`, url }] : [])),
    ...urlFields(manifest.integrationConfig, checked.values, '/config'),
  ];
  const refused = await checkConfiguredUrls(urls, { allowPrivateNetworks: context.allowPrivateNetworks, resolve: context.resolve });
  if (refused.length > 0) throw problems.unprocessable('A configured URL is refused.', refused);
  return splitSecretValues(manifest.integrationConfig, checked.values);
}

export const oauthFieldsGiven = (input: Partial<Record<'clientId' | 'clientSecret' | 'scopes' | 'oauthUrls', unknown>>): string[] =>
  (['clientId', 'clientSecret', 'scopes', 'oauthUrls'] as const).filter((name) => {
    const value = input[name];
    return value !== undefined && value !== null && !(typeof value === 'object' && Object.keys(value).length === 0);
  });
