export {
  defineConnector,
  toConnector,
  isConnector,
  connected,
  pick,
  runDeclarativeTest,
  monogramIcon,
  expectOk,
  ManifestError,
  ProviderFailureError,
  ProviderHttpError,
  type Connector,
  type ConnectorDefinition,
  type ConnectorBehaviour,
  type ConnectorContext,
  type ConfigRecord,
  type ConfigValues,
  type AccountInfo,
  type TestConnectionResult,
} from './sdk.ts';
export {
  CATEGORIES,
  CAPABILITIES,
  CONNECTION_MODES,
  UI_SURFACES,
  UI_PLACEMENTS,
  ConnectorManifestSchema,
  FieldSchema,
  type Category,
  type Capability,
  type ConnectionMode,
  type ConnectorManifest,
  type ManifestInput,
  type Field,
  type Fields,
  type Placement,
  type OAuthSettings,
  type ResolvedOAuthSettings,
  type KeySettings,
  type UiEmbed,
  type DeclarativeTest,
} from './manifest.ts';
export { validateManifest, formatProblems, type ManifestProblem, type ManifestValidation } from './validate.ts';
export { parseRateLimit, isRateLimit, type RateLimit } from './rate-limit.ts';
export { fillTemplate, resolveUrlTemplate, placeholders, TemplateError } from './templates.ts';
export { checkFieldValues, type FieldValues } from './fields.ts';
export {
  createConnectorContext,
  resolveConfig,
  resolveBaseUrl,
  resolveCredential,
  resolveOAuthEndpoints,
  ConnectorConfigError,
  type ConnectorContextOptions,
} from './context.ts';
export { runConnectionTest, testWithContext, failureSubject } from './test-connection.ts';
export {
  loadRegistry,
  loadCatalog,
  getConnector,
  listConnectors,
  registerDeclarativeConnector,
  ConnectorRegistry,
  ConnectorLoadError,
  DEFAULT_CATALOG_DIR,
  type ConnectorFilter,
  type ConnectorLoadFailure,
} from './registry.ts';
export type {
  SyncDefinition,
  SyncContext,
  SyncRecord,
  MetricDefinition,
  MetricSample,
  InboundWebhookDefinition,
  InboundWebhookRequest,
  InboundWebhookRoute,
} from './extensions.ts';
