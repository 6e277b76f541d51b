export {
  createIntegration,
  getIntegration,
  findIntegrationByKey,
  listIntegrations,
  updateIntegration,
  deleteIntegration,
  integrationSecrets,
  hasClientSecret,
  effectiveSettings,
  connectorOf,
  SETTING_DEFAULTS,
  CLIENT_SECRET,
  integrationOwner,
  type EnvironmentScope,
  type IntegrationInput,
  type IntegrationPatch,
  type IntegrationOptions,
  type IntegrationSettings,
} from './integrations.ts';
export { checkConfiguredUrls, type UrlToCheck, type UrlCheckOptions } from './urls.ts';
export { splitSecretValues, urlFields } from './validate.ts';
export { integrations, type Integration, type OAuthUrlOverrides, type IntegrationSettingsInput } from './schema.ts';
