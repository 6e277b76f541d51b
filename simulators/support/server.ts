/**
 * The shared part of every provider simulator: a node:http server on loopback that records
 * requests, applies the test controls (accepted credentials, a forced status, a delay, a rate
 * limit), checks the credential the way the provider reads it, routes to the provider's handlers
 * and answers errors in the provider's own shape. Each provider file supplies only what differs.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accepts, createControl, matchFault, type InternalControl, type SimulatorControl } from './control.ts';

// Provider files take everything shared from here, the controls included.
export { createControl, type Fault, type InternalControl, type RecordedRequest, type SimulatorControl } from './control.ts';

export type ErrorKind = 'unauthorized' | 'forbidden' | 'not_found' | 'rate_limited' | 'server_error' | 'bad_request';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Route parameters (`/users/:id` → `{ id }`). */
  params: Record<string, string>;
  /** The simulator's origin, e.g. `http://127.0.0.1:43121`. */
  origin: string;
  /** The credential the provider would read from this request, if any. */
  credential: string | undefined;
}

export interface SimReply {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON, strings as they are. */
  body?: unknown;
}

export interface Route {
  method: string;
  /** `/crm/v3/objects/contacts`, with `:name` parameters. */
  path: string;
  /** Served without a credential and without forced statuses (OAuth endpoints, discovery). */
  public?: boolean;
  handle(req: SimRequest): SimReply | Promise<SimReply>;
}

export interface ProviderSpec {
  key: string;
  /** Reads the credential the way the provider does (its header format). */
  credential(req: Pick<SimRequest, 'headers' | 'query' | 'rawBody'>): string | undefined;
  /** The provider's error answer for a kind of failure; `status` is the status being simulated. */
  error(kind: ErrorKind, status: number, req: SimRequest): SimReply;
  routes: readonly Route[];
  /** Headers announcing the rate-limit window (when a test set one), on every answer that passed it. */
  rateLimitHeaders?(window: { limit: number; remaining: number; windowMs: number; resetMs: number }): Record<string, string>;
}

export interface SimulatorServer {
  url: string;
  control: SimulatorControl;
  close(): Promise<void>;
}

/**
 * Serves a simulator on another server's path instead of its own port (the demo mounts every
 * simulator on the hub at `/_simulators/<key>`, so its address survives restarts). `origin` is
 * the simulator's base as clients see it (`http://127.0.0.1:4000/_simulators/stripe`); `attach`
 * receives the listener the host server calls with the path below that base.
 */
export interface SimulatorMount {
  origin: string;
  attach(listener: SimulatorListener, close: () => void): void;
}

/** A mounted simulator's entry point: the raw request and response, the body already read. */
export type SimulatorListener = (req: http.IncomingMessage, res: http.ServerResponse, input: { path: string; search: string; rawBody: string }) => Promise<void>;

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Mount on another server instead of listening (see `SimulatorMount`). */
  mount?: SimulatorMount;
  /** How many records each model starts with (`{ contacts: 100_000 }`); each simulator has defaults. */
  records?: Readonly<Record<string, number>>;
  /** Credentials accepted from the start. */
  credentials?: readonly string[];
  delayMs?: number;
}

const DEFAULT_RETRY_AFTER_SECONDS = 30;
const MAX_BODY_BYTES = 1024 * 1024;

function kindFor(status: number): ErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

function compile(route: Route): { route: Route; pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/** Starts a provider simulator on loopback (a free port unless `port` is given). */
export async function serveSimulator(spec: ProviderSpec, options: ServeOptions & { control?: InternalControl } = {}): Promise<SimulatorServer> {
  const control = options.control ?? createControl(options.credentials ?? []);
  if (options.delayMs) control.setDelay(options.delayMs);
  const routes = spec.routes.map(compile);
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';

  const fail = (res: http.ServerResponse) => () => {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('simulator failure');
  };
  const server = options.mount
    ? undefined
    : http.createServer((req, res) => {
        void readBody(req)
          .then((rawBody) => {
            const url = new URL(req.url ?? '/', 'http://simulator');
            return handle(req, res, rawBody, url.pathname, url.search);
          })
          .catch(fail(res));
      });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string, pathname: string, search: string): Promise<void> {
    const url = { pathname, search, searchParams: new URLSearchParams(search) };
    const method = (req.method ?? 'GET').toUpperCase();
    control.requests.push({ at: Date.now(), method, path: url.pathname, query: url.search, headers: req.headers, body: rawBody });

    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
        res.once('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
          resolve();
        });
      });
    if (control.delayMs > 0) {
      await wait(control.delayMs);
      if (res.destroyed) return;
    }

    const base = { method, path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, origin, params: {} };
    const credential = spec.credential(base);
    const simReq: SimRequest = { ...base, credential };
    const match = findRoute(routes, method, url.pathname);
    if (match) simReq.params = match.params;

    if (match?.route.public) return send(res, await match.route.handle(simReq));

    const forced = control.forced;
    if (forced && forced.remaining > 0) {
      forced.remaining -= 1;
      const reply = spec.error(kindFor(forced.status), forced.status, simReq);
      if (forced.status === 429) reply.headers = { 'retry-after': String(forced.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS), ...reply.headers };
      return send(res, reply);
    }

    const fault = matchFault(control, method, url.pathname);
    if (fault?.kind === 'hang') {
      await new Promise<void>((resolve) => res.once('close', () => resolve()));
      return;
    }
    if (fault?.kind === 'latency') {
      await wait(fault.ms ?? 1000);
      if (res.destroyed) return;
    }
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"results":[{"id":"1","properties":{"na');
      return;
    }
    if (fault?.kind === 'status') {
      const status = fault.status ?? 500;
      const reply = spec.error(kindFor(status), status, simReq);
      if (status === 429) reply.headers = { 'retry-after': String(fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS), ...reply.headers };
      return send(res, reply);
    }

    const limit = control.limit;
    if (limit) {
      const now = Date.now();
      if (now - limit.windowStart >= limit.windowMs) {
        limit.windowStart = now;
        limit.count = 0;
      }
      limit.count += 1;
      if (limit.count > limit.limit) {
        const wait = Math.max(1, Math.ceil((limit.windowStart + limit.windowMs - now) / 1000));
        const reply = spec.error('rate_limited', 429, simReq);
        reply.headers = { 'retry-after': String(wait), ...reply.headers };
        return send(res, reply);
      }
    }

    if (!credential || !accepts(control, credential)) return send(res, spec.error('unauthorized', 401, simReq));
    if (!match) return send(res, spec.error('not_found', 404, simReq));
    try {
      const reply = await match.route.handle(simReq);
      if (limit && spec.rateLimitHeaders) {
        const window = { limit: limit.limit, remaining: Math.max(0, limit.limit - limit.count), windowMs: limit.windowMs, resetMs: limit.windowStart + limit.windowMs - Date.now() };
        reply.headers = { ...spec.rateLimitHeaders(window), ...reply.headers };
      }
      return send(res, reply);
    } catch {
      return send(res, spec.error('server_error', 500, simReq));
    }
  }

  const clearTimers = (): void => {
    timers.forEach((t) => clearTimeout(t));
    timers.clear();
  };
  if (!server) {
    const mount = options.mount!;
    origin = mount.origin.replace(/\/$/, '');
    let closed = false;
    mount.attach(
      (req, res, input) => (closed ? Promise.resolve(fail(res)()) : handle(req, res, input.rawBody, input.path, input.search).catch(fail(res))),
      () => {
        closed = true;
        clearTimers();
      },
    );
    return {
      url: origin,
      control,
      close: async () => {
        closed = true;
        clearTimers();
      },
    };
  }

  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1', spec.key);
  const address = server.address() as AddressInfo;
  origin = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: origin,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimers();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Listens, turning a taken fixed port into an error that says which simulator and what to do. */
async function listen(server: http.Server, port: number, host: string, key: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new Error(`the ${key} simulator cannot listen on ${host}:${port}: the port is taken by another program (stop it, or choose other ports)`, { cause: err }));
      } else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
}

function findRoute(
  routes: ReturnType<typeof compile>[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  for (const { route, pattern, names } of routes) {
    if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) continue;
    // A trailing slash names the same resource (`/sobjects/Account/deleted/`).
    const m = pattern.exec(path.length > 1 ? path.replace(/\/$/, '') : path);
    if (!m) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
    return { route, params };
  }
  return undefined;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, reply: SimReply): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  let body = '';
  if (typeof reply.body === 'string') {
    body = reply.body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}

/** Reads a bearer token: `Authorization: Bearer <token>` (scheme case-insensitive). */
export function bearerToken(headers: IncomingHttpHeaders, scheme = 'Bearer'): string | undefined {
  const value = headers.authorization;
  if (!value) return undefined;
  const match = new RegExp(`^${scheme}\\s+(.+)$`, 'i').exec(value);
  return match?.[1]?.trim();
}

/** Form or JSON request parameters. */
export function bodyParams(req: Pick<SimRequest, 'headers' | 'rawBody'>): URLSearchParams {
  const type = req.headers['content-type'] ?? '';
  if (type.includes('json') && req.rawBody) {
    try {
      const parsed = JSON.parse(req.rawBody) as Record<string, unknown>;
      return new URLSearchParams(Object.entries(parsed).map(([k, v]): [string, string] => [k, String(v)]));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(req.rawBody);
}

/**
 * One page of `items` from an opaque cursor (an index, as text).
 * @returns the page and the next cursor, or `undefined` on the last page
 */
export function paginate<T>(items: readonly T[], cursor: string | null | undefined, limit: number): { page: T[]; next: string | undefined } {
  const start = Math.max(0, Number.parseInt(cursor ?? '0', 10) || 0);
  const end = start + Math.max(1, limit);
  return { page: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}

/** A bounded integer query parameter. */
export function intParam(value: string | null, fallback: number, max: number): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, max) : fallback;
}
