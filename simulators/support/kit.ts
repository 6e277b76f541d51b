/**
 * The simulator toolkit: what a provider simulator shares, so a new one is mostly data — how the
 * provider reads a credential (bearer, basic, an API-key header, a query key), records seeded
 * from a template, the pagination styles providers use (cursor, offset, page number, RFC 8288
 * `Link`), the provider's documented rate limit, signed webhooks, and `defineSimulator`, which
 * turns a description into a `StartSimulator`. Faults (latency, statuses, hangs, cut-off bodies)
 * and a forced status come with every simulator's control (control.ts).
 *
 * @example
 * export default defineSimulator({
 *   key: 'acme', credential: auth.header('x-api-key'), accepts: ['key_123'],
 *   sample: { credentials: { apiKey: 'key_123' } }, error: (kind, status) => ({ status, body: { error: kind } }),
 *   data: (options) => ({ users: fixtures(options, 'users', 250, (i, at) => ({ id: `u${i}`, updated_at: at })) }),
 *   routes: ({ users }) => [{ method: 'GET', path: '/users', handle: (req) => ({ body: pages.offset(users.all(), req).body }) }],
 *   profile: { proxyPath: '/users', records: { users: { dataset: 'users', count: 250 } } },
 * });
 */
import { createDataset, type Dataset } from './dataset.ts';
import { oauthEndpoints, recordCount, type SimulatorHandle, type SimulatorOptions, type SimulatorProfile, type StartSimulator } from './handle.ts';
import { oauthServer, type OAuthServerOptions } from './oauth.ts';
import { bearerToken, createControl, intParam, serveSimulator, type ErrorKind, type ProviderSpec, type Route, type SimReply, type SimRequest } from './server.ts';
import { deliverSigned, type Signer } from '../webhooks/signers.ts';

export type CredentialReader = ProviderSpec['credential'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- datasets of any record type
type AnyDatasets = Record<string, Dataset<any>>;

/** How providers read credentials. */
export const auth = {
  /** `Authorization: Bearer <token>` (or another scheme: `Token`, `GenieKey`, `Bot`). */
  bearer: (scheme = 'Bearer'): CredentialReader => (req) => bearerToken(req.headers, scheme),
  /** HTTP basic: `user:password` as one value, or only one of its halves. */
  basic:
    (part: 'pair' | 'username' | 'password' = 'pair'): CredentialReader =>
    (req) => {
      const encoded = bearerToken(req.headers, 'Basic');
      if (!encoded) return undefined;
      const pair = Buffer.from(encoded, 'base64').toString('utf8');
      const at = pair.indexOf(':');
      if (part === 'pair') return pair;
      return part === 'username' ? pair.slice(0, at < 0 ? undefined : at) : at < 0 ? '' : pair.slice(at + 1);
    },
  /** A header holding the key (`x-api-key`, `DD-API-KEY`…), with an optional prefix to strip. */
  header:
    (name: string, prefix = ''): CredentialReader =>
    (req) => {
      const value = req.headers[name.toLowerCase()];
      const text = Array.isArray(value) ? value[0] : value;
      if (!text || !text.startsWith(prefix)) return undefined;
      return text.slice(prefix.length).trim() || undefined;
    },
  /** A query parameter holding the key (`?api_key=`). */
  query: (name: string): CredentialReader => (req) => req.query.get(name) ?? undefined,
  /** Several header values read as one credential, joined with `:` (Datadog's API and application keys). */
  headers:
    (...names: string[]): CredentialReader =>
    (req) => {
      const values = names.map((n) => req.headers[n.toLowerCase()]);
      return values.every((v) => typeof v === 'string' && v) ? values.join(':') : undefined;
    },
  /** The first reader that finds a credential. */
  anyOf:
    (...readers: CredentialReader[]): CredentialReader =>
    (req) => {
      for (const read of readers) {
        const value = read(req);
        if (value) return value;
      }
      return undefined;
    },
};

export type TimeFormat = 'iso' | 'seconds' | 'ms';
const formatTime = (ms: number, format: TimeFormat): string | number => (format === 'iso' ? new Date(ms).toISOString() : format === 'seconds' ? Math.floor(ms / 1000) : ms);
const readTime = (value: unknown, format: TimeFormat): number => (format === 'iso' ? Date.parse(String(value)) : format === 'seconds' ? Number(value) * 1000 : Number(value));

/**
 * Records of one model, `count` of them (the caller's `records[model]` wins), made from a template:
 * `make(i, updatedAt)` gets the modification time already in the provider's format. An edit sets
 * the `updated` field again (and `edit` may change more), so incremental syncs find it.
 */
export function fixtures<T extends Record<string, unknown>>(
  options: SimulatorOptions,
  model: string,
  count: number,
  make: (i: number, updatedAt: string | number) => T,
  settings: { id?: string; updated?: string; format?: TimeFormat; edit?: (record: T, n: number) => Partial<T>; spanDays?: number } = {},
): Dataset<T> {
  const idField = settings.id ?? 'id';
  const updated = settings.updated ?? 'updated_at';
  const format = settings.format ?? 'iso';
  return createDataset<T>({
    count: recordCount(options, model, count),
    ...(settings.spanDays === undefined ? {} : { spanDays: settings.spanDays }),
    make: (i, ms) => {
      const record = make(i, formatTime(ms, format));
      if (record[idField] === undefined) throw new Error(`fixtures of ${model}: records have no "${idField}" field; name the id field with { id: '…' }`);
      return record;
    },
    id: (record) => String(record[idField]),
    modifiedMs: (record) => readTime(record[updated], format),
    edit: (record, n, ms) => ({ ...record, ...settings.edit?.(record, n), [updated]: formatTime(ms, format) }),
  });
}

/** Records modified at or after `since` (a provider's `updated_since` filter). */
export function modifiedSince<T>(dataset: Dataset<T>, since: number | undefined, modifiedMs: (record: T) => number): readonly T[] {
  if (since === undefined || !Number.isFinite(since)) return dataset.all();
  return dataset.all().filter((record) => modifiedMs(record) >= since);
}

interface PageSettings {
  limitParam?: string;
  defaultLimit?: number;
  maxLimit?: number;
}

/** The pagination styles providers use, over a list already filtered and ordered. */
export const pages = {
  /** An opaque cursor (the next index, base64url) in `cursorParam`; the next one returned, or undefined at the end. */
  cursor<T>(items: readonly T[], req: SimRequest, settings: PageSettings & { cursorParam?: string } = {}): { items: T[]; next: string | undefined } {
    const limit = intParam(req.query.get(settings.limitParam ?? 'limit'), settings.defaultLimit ?? 50, settings.maxLimit ?? 100);
    const raw = req.query.get(settings.cursorParam ?? 'cursor');
    const start = raw ? Math.max(0, Number(Buffer.from(raw, 'base64url').toString('utf8')) || 0) : 0;
    const end = start + limit;
    return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
  },
  /** `offset` and `limit` parameters; `more` tells whether anything follows. */
  offset<T>(items: readonly T[], req: SimRequest, settings: PageSettings & { offsetParam?: string } = {}): { items: T[]; offset: number; limit: number; more: boolean; total: number } {
    const limit = intParam(req.query.get(settings.limitParam ?? 'limit'), settings.defaultLimit ?? 50, settings.maxLimit ?? 100);
    const offset = Math.max(0, Number.parseInt(req.query.get(settings.offsetParam ?? 'offset') ?? '0', 10) || 0);
    return { items: items.slice(offset, offset + limit), offset, limit, more: offset + limit < items.length, total: items.length };
  },
  /** Numbered pages from `first` (1 by default). */
  page<T>(items: readonly T[], req: SimRequest, settings: PageSettings & { pageParam?: string; first?: number } = {}): { items: T[]; page: number; limit: number; more: boolean; totalPages: number } {
    const first = settings.first ?? 1;
    const limit = intParam(req.query.get(settings.limitParam ?? 'per_page'), settings.defaultLimit ?? 30, settings.maxLimit ?? 100);
    const page = Math.max(first, Number.parseInt(req.query.get(settings.pageParam ?? 'page') ?? String(first), 10) || first);
    const start = (page - first) * limit;
    return { items: items.slice(start, start + limit), page, limit, more: start + limit < items.length, totalPages: Math.ceil(items.length / limit) };
  },
  /**
   * Numbered pages announced by an RFC 8288 `Link` header (`rel="next"`, `rel="last"`), the way
   * GitHub, Sentry-style APIs and Okta do; the header goes on the reply.
   */
  link<T>(items: readonly T[], req: SimRequest, settings: PageSettings & { pageParam?: string } = {}): { items: T[]; headers: Record<string, string> } {
    const pageParam = settings.pageParam ?? 'page';
    const result = pages.page(items, req, { ...settings, pageParam });
    const url = (page: number): string => {
      const query = new URLSearchParams(req.query);
      query.set(pageParam, String(page));
      return `<${req.origin}${req.path}?${query.toString()}>`;
    };
    const links = [`${url(result.page + 1)}; rel="next"`].slice(result.more ? 0 : 1);
    links.push(`${url(Math.max(1, result.totalPages))}; rel="last"`);
    return { items: result.items, headers: { link: links.join(', ') } };
  },
};

/** `100/minute` → `{ limit: 100, windowMs: 60_000 }` (the provider's documented limit). */
export function rateLimitOf(text: string): { limit: number; windowMs: number } {
  const match = /^(\d+)\s*\/\s*(?:(\d+)\s*)?(second|minute|hour|day)s?$/.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a rate limit such as 100/minute`);
  const unit = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 }[match[3] as 'second'];
  return { limit: Number(match[1]), windowMs: (match[2] ? Number(match[2]) : 1) * unit };
}

/** What a simulator file describes; `defineSimulator` serves it. */
export interface SimulatorDefinition<D extends AnyDatasets> {
  key: string;
  credential: CredentialReader;
  /** Credentials accepted from the start, as `credential` reads them (`user:password` for basic pairs). */
  accepts: readonly string[];
  /** A working connection's values; for OAuth simulators `accessToken` is filled with an issued token. */
  sample: { credentials?: Record<string, string>; connectionConfig?: Record<string, string>; integrationConfig?: Record<string, string>; metadata?: Record<string, unknown> };
  /** The provider's error answer for a kind of failure (`status` is the status being simulated). */
  error(kind: ErrorKind, status: number, req: SimRequest): SimReply;
  /** The provider's documented limit, e.g. `100/minute`: on the handle for tests to turn on (`control.setRateLimit`). */
  rateLimit?: string;
  rateLimitHeaders?: ProviderSpec['rateLimitHeaders'];
  data?(options: SimulatorOptions): D;
  routes(data: D, options: SimulatorOptions): Route[];
  /** An OAuth authorization server beside the API (see oauth.ts); its tokens are accepted credentials. */
  oauth?: Omit<OAuthServerOptions, 'paths'> & { paths: OAuthServerOptions['paths']; scope?: string; issuer?: boolean };
  /** How the provider signs the webhooks it sends (webhooks/signers.ts). */
  webhooks?: { signer: Signer };
  profile: SimulatorProfile;
}

export type DefinedSimulator = StartSimulator & { readonly profile: SimulatorProfile; readonly signer?: Signer | undefined };

/** Turns a description into a simulator (`StartSimulator`) that carries its conformance profile. */
export function defineSimulator<D extends AnyDatasets>(definition: SimulatorDefinition<D>): DefinedSimulator {
  const start = async (options: SimulatorOptions = {}): Promise<SimulatorHandle> => {
    const control = createControl(options.credentials ?? definition.accepts);
    const data = (definition.data?.(options) ?? {}) as D;
    const oauth = definition.oauth ? oauthServer(definition.oauth, control) : undefined;
    const server = await serveSimulator(
      {
        key: definition.key,
        credential: definition.credential,
        error: definition.error,
        routes: [...(oauth?.routes ?? []), ...definition.routes(data, options)],
        ...(definition.rateLimitHeaders ? { rateLimitHeaders: definition.rateLimitHeaders } : {}),
      },
      { ...options, control },
    );
    const credentials = { ...definition.sample.credentials };
    if (oauth) {
      credentials.accessToken = oauth.control.issueTokens(definition.oauth?.scope ?? '').accessToken;
      control.baseline();
    }
    const handle: SimulatorHandle = {
      key: definition.key,
      url: server.url,
      baseUrl: server.url,
      sample: { credentials, connectionConfig: { ...definition.sample.connectionConfig }, integrationConfig: { ...definition.sample.integrationConfig }, metadata: { ...definition.sample.metadata } },
      control: server.control,
      data: data as Record<string, Dataset<unknown>>,
      profile: definition.profile,
      ...(definition.rateLimit ? { rateLimit: rateLimitOf(definition.rateLimit) } : {}),
      ...(oauth && definition.oauth ? { oauth: oauthEndpoints(server.url, definition.oauth.paths, oauth.control, definition.oauth.issuer ? server.url : undefined) } : {}),
      close: server.close,
    };
    const signer = definition.webhooks?.signer;
    if (signer) handle.sendWebhook = (delivery) => deliverSigned(signer(delivery.secret, { url: delivery.url, body: delivery.body, ...(delivery.id ? { id: delivery.id } : {}) }));
    return handle;
  };
  return Object.assign(start, { profile: definition.profile, signer: definition.webhooks?.signer });
}
