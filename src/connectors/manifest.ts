/**
 * A connector's manifest: the declarative, JSON-safe half of a connector. The TypeBox schemas
 * here are the single source of the manifest's types (`Static<…>`), of its validation at load
 * (validate.ts) and of the catalog API's response schema.
 */
import Type, { type Static } from 'typebox';

export const CATEGORIES = ['analytics', 'identity', 'commerce', 'ops', 'crm', 'communication', 'support', 'dev', 'data'] as const;
export const CAPABILITIES = ['proxy', 'records', 'metrics', 'webhooks', 'identity', 'actions'] as const;
export const CONNECTION_MODES = ['oauth', 'apiKey', 'basic', 'managedVault'] as const;
export const UI_SURFACES = ['dashboard', 'connect', 'connection'] as const;
export const UI_PLACEMENTS = ['sidebar', 'card', 'modal', 'tab', 'banner'] as const;
export const FIELD_FORMATS = ['text', 'url', 'hostname', 'email'] as const;

export type Category = (typeof CATEGORIES)[number];
export type Capability = (typeof CAPABILITIES)[number];
export type ConnectionMode = (typeof CONNECTION_MODES)[number];

/** `hubspot`, `custom-oauth`: lower case words joined by single hyphens. */
export const KEY_PATTERN = '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$';
/** Names of fields and template placeholders: `domain`, `apiKey`, `instance_url`. */
export const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** `100/minute`, `110/10 seconds`, `100000/day`. */
export const RATE_LIMIT_PATTERN = '^\\d+\\s*/\\s*(?:\\d+\\s*)?(?:second|minute|hour|day)s?$';
/** Provider environments: `production`, `sandbox`, `eu`… */
export const ENVIRONMENT_PATTERN = '^[a-z][a-z0-9-]{0,31}$';

/**
 * A URL that may hold `{field}` placeholders, filled from integration and connection
 * configuration (and, for base URLs, from kept token fields): `https://{domain}/oauth2/v1/token`.
 * Checked beyond this pattern in validate.ts.
 */
const UrlTemplate = Type.String({ minLength: 1, maxLength: 2000, pattern: '^(?:https://|\\{)' });

export const FieldSchema = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 80 }),
    help: Type.Optional(Type.String({ maxLength: 500 })),
    placeholder: Type.Optional(Type.String({ maxLength: 200 })),
    format: Type.Optional(Type.Enum(FIELD_FORMATS)),
    /** A regular expression the whole value must match. */
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** Said when the pattern does not match, e.g. "starts with sk_live_ or sk_test_". */
    patternHint: Type.Optional(Type.String({ maxLength: 200 })),
    /** Default true. */
    required: Type.Optional(Type.Boolean()),
    /** Secret values are stored in the vault and never shown again. Default false. */
    secret: Type.Optional(Type.Boolean()),
    default: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type Field = Static<typeof FieldSchema>;

export const FieldsSchema = Type.Record(Type.String({ pattern: NAME_PATTERN }), FieldSchema, { additionalProperties: false });
export type Fields = Static<typeof FieldsSchema>;

/** Where a credential goes on each provider request; `{name}` placeholders name credential values. */
export const PlacementSchema = Type.Union([
  Type.Object(
    {
      in: Type.Literal('header'),
      name: Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }),
      /** e.g. `Bearer {apiKey}`, `Token token={apiKey}` */
      format: Type.String({ minLength: 1, maxLength: 500 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      in: Type.Literal('query'),
      name: Type.String({ minLength: 1, maxLength: 100 }),
      format: Type.String({ minLength: 1, maxLength: 500 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      in: Type.Literal('basic'),
      username: Type.String({ maxLength: 500 }),
      password: Type.String({ maxLength: 500 }),
    },
    { additionalProperties: false },
  ),
  /** Several headers, for providers that want two keys (Datadog's `DD-API-KEY` and `DD-APPLICATION-KEY`). */
  Type.Object(
    {
      in: Type.Literal('headers'),
      headers: Type.Record(Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }), Type.String({ minLength: 1, maxLength: 500 }), { minProperties: 1, maxProperties: 5, additionalProperties: false }),
    },
    { additionalProperties: false },
  ),
]);
export type Placement = Static<typeof PlacementSchema>;

export const OAuthSettingsSchema = Type.Object(
  {
    authorizationUrl: UrlTemplate,
    tokenUrl: UrlTemplate,
    /** RFC 7009 revocation endpoint, when the provider has one. */
    revocationUrl: Type.Optional(UrlTemplate),
    /** Scopes requested by default; an integration may change them. */
    scopes: Type.Array(Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S+$' }), { maxItems: 100 }),
    /** Default `' '` (RFC 6749); Slack uses `,`. */
    scopeSeparator: Type.Optional(Type.String({ minLength: 1, maxLength: 3 })),
    /** PKCE with S256; on unless the provider cannot do it. */
    pkce: Type.Optional(Type.Boolean()),
    /** Extra authorization request parameters, e.g. `{ access_type: 'offline' }`. */
    authorizationParams: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 500 }))),
    /** Token response fields kept with the connection, e.g. Salesforce's `instance_url`. */
    tokenResponseFields: Type.Optional(Type.Array(Type.String({ pattern: NAME_PATTERN }), { maxItems: 20 })),
    /** How the client authenticates at the token endpoint. Default `client_secret_basic`. */
    tokenEndpointAuthMethod: Type.Optional(Type.Enum(['client_secret_basic', 'client_secret_post'])),
    /** Whether the client credentials grant may be used (system-to-system). Default false. */
    clientCredentials: Type.Optional(Type.Boolean()),
    /** For identity connectors: ID tokens are validated against this issuer. */
    oidc: Type.Optional(Type.Object({ issuer: UrlTemplate }, { additionalProperties: false })),
    /** Default `Authorization: Bearer {accessToken}`. */
    inject: Type.Optional(PlacementSchema),
  },
  { additionalProperties: false },
);
export type OAuthSettings = Static<typeof OAuthSettingsSchema>;

/** API key, basic and managed-vault modes: the form the end customer fills (or the secret's shape). */
export const KeySettingsSchema = Type.Object(
  {
    fields: Type.Record(Type.String({ pattern: NAME_PATTERN }), FieldSchema, { additionalProperties: false, minProperties: 1 }),
    /** Absent when the credential is never sent to the provider (e.g. a webhook signing secret). */
    inject: Type.Optional(PlacementSchema),
    /**
     * The stored credential is exchanged for a short-lived one before provider calls (PayPal's
     * client credentials grant, Docker Hub's token for a personal access token): the connector's
     * `exchangeCredential` does it, and `inject` may also use these values of its result
     * (`{accessToken}`).
     */
    exchange: Type.Optional(
      Type.Object({ values: Type.Array(Type.String({ pattern: NAME_PATTERN }), { minItems: 1, maxItems: 5, uniqueItems: true }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type KeySettings = Static<typeof KeySettingsSchema>;

export const UiEmbedSchema = Type.Object(
  {
    surface: Type.Enum(UI_SURFACES),
    placement: Type.Enum(UI_PLACEMENTS),
    title: Type.Optional(Type.String({ maxLength: 80 })),
  },
  { additionalProperties: false },
);
export type UiEmbed = Static<typeof UiEmbedSchema>;

/**
 * A test a declarative connector (no code) runs: one request, success when it answers 2xx (and,
 * if given, when `okWhen` holds), account info picked from the body by dotted paths.
 */
export const DeclarativeTestSchema = Type.Object(
  {
    method: Type.Optional(Type.Enum(['GET', 'POST'])),
    path: Type.String({ pattern: '^/', maxLength: 2000 }),
    query: Type.Optional(Type.Record(Type.String(), Type.String())),
    okWhen: Type.Optional(
      Type.Object({ path: Type.String({ minLength: 1 }), equals: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]) }, { additionalProperties: false }),
    ),
    accountInfo: Type.Optional(Type.Record(Type.String({ pattern: NAME_PATTERN }), Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);
export type DeclarativeTest = Static<typeof DeclarativeTestSchema>;

const commonProperties = {
  key: Type.String({ pattern: KEY_PATTERN, minLength: 2, maxLength: 64 }),
  name: Type.String({ minLength: 1, maxLength: 60 }),
  description: Type.String({ minLength: 1, maxLength: 500 }),
  category: Type.Enum(CATEGORIES),
  /** An inline SVG document (`<svg …>…</svg>`), no scripts or event handlers. */
  icon: Type.String({ minLength: 10, maxLength: 20_000 }),
  capabilities: Type.Array(Type.Enum(CAPABILITIES), { minItems: 1, uniqueItems: true }),
  /** Fields the end customer fills per connection (e.g. Okta domain). */
  connectionConfig: Type.Optional(FieldsSchema),
  /** Fields the developer fills once per integration (e.g. a custom provider's URLs). */
  integrationConfig: Type.Optional(FieldsSchema),
  /** The provider's base URL per provider environment; `production` is the default. */
  baseUrls: Type.Optional(Type.Record(Type.String({ pattern: ENVIRONMENT_PATTERN }), UrlTemplate, { additionalProperties: false })),
  /** Headers every provider request carries (API version, accept type). */
  requestHeaders: Type.Optional(Type.Record(Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }), Type.String({ maxLength: 500 }), { additionalProperties: false })),
  /** The provider's documented limit, the default for an integration: `100/minute`. */
  rateLimit: Type.Optional(Type.String({ pattern: RATE_LIMIT_PATTERN })),
  uiEmbeds: Type.Optional(Type.Array(UiEmbedSchema, { maxItems: 10 })),
  docsUrl: Type.String({ maxLength: 2000, pattern: '^https://' }),
  test: Type.Optional(DeclarativeTestSchema),
};

const CommonSchema = Type.Object(commonProperties, { additionalProperties: false });

/** The outer shape, with `auth` checked afterwards against its mode's schema (clearer errors). */
export const ManifestShapeSchema = Type.Object(
  {
    ...commonProperties,
    connectionMode: Type.Enum(CONNECTION_MODES),
    auth: Type.Object({}),
  },
  { additionalProperties: false },
);

export const AUTH_SCHEMAS = {
  oauth: OAuthSettingsSchema,
  apiKey: KeySettingsSchema,
  basic: KeySettingsSchema,
  managedVault: KeySettingsSchema,
} as const;

/** The whole manifest as one schema (a union by connection mode), for the catalog API's OpenAPI document. */
export const ConnectorManifestSchema = Type.Union([
  Type.Object({ ...commonProperties, connectionMode: Type.Literal('oauth'), auth: OAuthSettingsSchema }, { additionalProperties: false }),
  Type.Object(
    { ...commonProperties, connectionMode: Type.Enum(['apiKey', 'basic', 'managedVault']), auth: KeySettingsSchema },
    { additionalProperties: false },
  ),
]);

/** What a connector file writes. */
export type ManifestInput = Static<typeof CommonSchema> &
  (
    | { connectionMode: 'oauth'; auth: OAuthSettings }
    | { connectionMode: 'apiKey' | 'basic' | 'managedVault'; auth: KeySettings }
  );

type WithDefaults<T, K extends keyof T> = Omit<T, K> & Required<Pick<T, K>>;

export type ResolvedOAuthSettings = WithDefaults<
  OAuthSettings,
  'scopeSeparator' | 'pkce' | 'authorizationParams' | 'tokenResponseFields' | 'tokenEndpointAuthMethod' | 'clientCredentials' | 'inject'
>;

/** A loaded manifest: validated, defaults filled in, JSON-safe. */
export type ConnectorManifest = WithDefaults<
  Static<typeof CommonSchema>,
  'connectionConfig' | 'integrationConfig' | 'baseUrls' | 'requestHeaders' | 'uiEmbeds'
> &
  (
    | { connectionMode: 'oauth'; auth: ResolvedOAuthSettings }
    | { connectionMode: 'apiKey' | 'basic' | 'managedVault'; auth: KeySettings }
  );
