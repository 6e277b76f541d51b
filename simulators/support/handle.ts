import type { Dataset } from './dataset.ts';
import type { OAuthControl, OAuthServerOptions } from './oauth.ts';
import type { ServeOptions, SimulatorControl } from './server.ts';

/** A running simulator, as tests and the demo use it. */
export interface SimulatorHandle {
  key: string;
  /** The simulator's origin. */
  url: string;
  /** The base URL a connection uses to reach it (an integration's base URL override). */
  baseUrl: string;
  /** For OAuth providers: where its authorization server answers, and its one client. */
  oauth?: {
    authorizationUrl: string;
    tokenUrl: string;
    revocationUrl?: string;
    issuer?: string;
    clientId: string;
    clientSecret: string;
    control: OAuthControl;
  };
  /** Values that make a working connection: credentials, configuration, kept token fields. */
  sample: {
    credentials: Record<string, string>;
    connectionConfig: Record<string, string>;
    integrationConfig: Record<string, string>;
    metadata: Record<string, unknown>;
  };
  control: SimulatorControl;
  /**
   * For providers that send webhooks: delivers `body` to `url`, signed the provider's way with
   * `secret` (see simulators/webhooks/signers.ts).
   */
  sendWebhook?(delivery: { url: string; body: string; secret: string; id?: string }): Promise<{ status: number }>;
  /** The records it serves, by model, for tests to change, add and delete. */
  data?: Readonly<Record<string, Dataset<unknown>>>;
  /** What the conformance suite exercises against it. */
  profile?: SimulatorProfile;
  /** The provider's documented rate limit, for tests to turn on with `control.setRateLimit`. */
  rateLimit?: { limit: number; windowMs: number };
  close(): Promise<void>;
}

export type SimulatorOptions = ServeOptions;

/**
 * What the conformance suite (test/connectors/conformance.test.ts) needs from a simulator, as
 * data: a GET to send through the proxy, the records behind each synced model (enough for three
 * pages or more), a webhook the provider sends, an end user an identity lookup finds.
 */
export interface SimulatorProfile {
  /** A GET path (relative to the base URL, with its query) answered 200 for a working connection. */
  proxyPath?: string;
  /** Per synced model: the dataset behind it and how many records make three pages or more. */
  records?: Readonly<Record<string, { dataset: string; count: number }>>;
  /** A webhook as the provider sends it: the source secret (in the provider's format) and a body. */
  webhook?: { secret: string; body: string; /** False when the scheme sends a shared secret instead of signing the body (Okta). */ signsBody?: false };
  /** A user an identity lookup must find, by id or email. */
  user?: { id?: string; email?: string };
  /** Per declared action (the `actions` capability): an input that works against the simulator. */
  actions?: Readonly<Record<string, Record<string, unknown>>>;
  /** Values the connection needs beyond `sample` when it is made through the API (e.g. a config field). */
  connectionConfig?: Readonly<Record<string, string>>;
}

export type StartSimulator = (options?: SimulatorOptions) => Promise<SimulatorHandle>;

/** The `oauth` part of a handle, from the server's paths. */
export function oauthEndpoints(
  origin: string,
  paths: OAuthServerOptions['paths'],
  control: OAuthControl,
  issuer?: string,
): NonNullable<SimulatorHandle['oauth']> {
  return {
    authorizationUrl: origin + paths.authorize,
    tokenUrl: origin + paths.token,
    ...(paths.revoke ? { revocationUrl: origin + paths.revoke } : {}),
    ...(issuer ? { issuer } : {}),
    clientId: control.clientId,
    clientSecret: control.clientSecret,
    control,
  };
}

/** Deterministic sample rows: `seed(23, (i) => ({ id: String(i) }))`. */
export function seed<T>(count: number, make: (i: number) => T): T[] {
  return Array.from({ length: count }, (_, i) => make(i + 1));
}

/** A fixed instant plus `i` hours, ISO 8601, so sample data is stable across runs. */
export function sampleTime(i: number): string {
  return new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString();
}

/** The count of a model's records: the caller's, else the simulator's default. */
export function recordCount(options: SimulatorOptions, model: string, fallback: number): number {
  return options.records?.[model] ?? fallback;
}
