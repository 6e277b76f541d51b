/**
 * The OAuth client of one integration, for one connection's configuration: the manifest's
 * endpoints filled in (Okta's `{domain}`, a custom provider's URLs) unless the integration
 * overrides them, its client id and secret, scopes and PKCE setting.
 */
import { problems } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Environment } from '../auth/index.ts';
import type { Vault } from '../credentials/index.ts';
import type { OAuthClientSettings, OAuthEndpoints } from '../credentials/oauth/index.ts';
import { ConnectorConfigError, resolveConfig, resolveOAuthEndpoints, TemplateError, type Connector, type ResolvedOAuthSettings } from '../connectors/index.ts';
import { connectorOf, effectiveSettings, integrationSecrets, type Integration } from '../integrations/index.ts';
import type { ConnectionScope } from './status.ts';

export interface IntegrationOAuth {
  connector: Connector;
  auth: ResolvedOAuthSettings;
  settings: OAuthClientSettings;
  /** The scopes to request, joined with the provider's separator. */
  scope: string;
}

/**
 * @param connectionConfig the connection's configuration (secret fields included), checked against the manifest
 * @throws ProblemError 422 when the integration is not OAuth or its configuration does not fill the endpoints
 */
export async function integrationOAuth(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  integration: Integration,
  environment: Pick<Environment, 'allowPrivateNetworks'>,
  connectionConfig: Record<string, string>,
): Promise<IntegrationOAuth> {
  const connector = connectorOf(integration);
  const { manifest } = connector;
  if (manifest.connectionMode !== 'oauth') throw problems.unprocessable(`${manifest.name} connects with ${manifest.connectionMode}, not OAuth.`);
  if (!integration.oauthClientId) throw problems.unprocessable(`Integration ${integration.id} has no OAuth client id.`);
  const secrets = await integrationSecrets(db, vault, scope, integration);
  let endpoints: OAuthEndpoints;
  try {
    const values = resolveConfig(manifest, { ...integration.config, ...secrets.config }, connectionConfig);
    // Overrides replace the manifest's endpoints as a set: a revocation URL left at the real
    // provider while the others point at a simulator would be a surprise.
    const overrides = integration.oauthUrls;
    endpoints =
      overrides.authorizationUrl && overrides.tokenUrl
        ? { authorizationUrl: overrides.authorizationUrl, tokenUrl: overrides.tokenUrl, revocationUrl: overrides.revocationUrl, issuer: overrides.issuer }
        : resolveOAuthEndpoints(manifest, values);
  } catch (err) {
    if (err instanceof ConnectorConfigError) throw problems.validation([...err.errors], 'The connection configuration does not fit the connector.');
    if (err instanceof TemplateError) throw problems.unprocessable(`The OAuth endpoints cannot be filled in: ${err.message}.`);
    throw err;
  }
  const { auth } = manifest;
  return {
    connector,
    auth,
    scope: (integration.scopes ?? auth.scopes).join(auth.scopeSeparator),
    settings: {
      endpoints,
      clientId: integration.oauthClientId,
      clientSecret: secrets.clientSecret,
      tokenEndpointAuthMethod: auth.tokenEndpointAuthMethod,
      allowPrivateNetworks: environment.allowPrivateNetworks,
      timeoutMs: effectiveSettings(integration, manifest).timeoutMs,
    },
  };
}

