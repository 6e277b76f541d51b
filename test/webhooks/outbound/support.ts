/**
 * Outbound tests run the real API, queue and delivery pool against a real database, and deliver
 * to real HTTP receivers on loopback whose answers each test controls.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ManualClock, type Logger, type MasterKey } from '../../../src/core/index.ts';
import { createQueue, type Queue } from '../../../src/queue/index.ts';
import { createVault, type Vault } from '../../../src/credentials/index.ts';
import { deliveriesOf, listAttempts, registerOutbound, type Outbound, type OutboundSettings } from '../../../src/webhooks/outbound/index.ts';
import { attemptView, deliveryView } from '../../../src/api/routes/outbound/views.ts';
import { outboundRoutes } from '../../../src/api/routes/outbound/index.ts';
import { bearer, createTestApi, type TestApi } from '../../support/api.ts';

export { waitFor, sleep } from '../../queue/helpers.ts';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many real milliseconds. */
  delayMs?: number;
  /** Never answer (until the server closes). */
  hang?: boolean;
  /** Destroy the socket without an answer. */
  reset?: boolean;
}

/** A loopback HTTP server whose answers the test sets with `respond`. */
export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  respond: (request: ReceivedRequest) => Reply;
  close(): Promise<void>;
}

export async function startReceiver(respond: (request: ReceivedRequest) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  const sockets = new Set<import('node:net').Socket>();
  const receiver: Receiver = {
    url: '',
    requests: [],
    respond,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      receiver.requests.push(received);
      const reply = receiver.respond(received);
      if (reply.reset) {
        req.socket.destroy();
        return;
      }
      if (reply.hang) return;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? 'ok');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

export interface OutboundHarness {
  api: TestApi;
  outbound: Outbound;
  queue: Queue;
  vault: Vault;
  /** The vault's master key (id `k1`). */
  masterKey: MasterKey;
  clock: ManualClock;
  /** An API key (admin, dev) as headers. */
  auth: Record<string, string>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  get(url: string): Promise<{ status: number; body: any }>;
  patch(url: string, body: unknown): Promise<{ status: number; body: any }>;
  del(url: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export const masterKey = (id = 'k1'): MasterKey => ({ id, key: randomBytes(32) });

export interface HarnessOptions {
  settings?: Partial<OutboundSettings>;
  concurrency?: number;
  /** Start the queue (deliveries happen); off to inspect what publishing stored. */
  startQueue?: boolean;
  clock?: ManualClock;
  logger?: Logger;
  /** The vault's master keys, current first (one random `k1` by default). */
  keys?: MasterKey[];
}

/** A test API with outbound routes, a running queue (on the same clock) and the vault. */
export async function outboundHarness(options: HarnessOptions = {}): Promise<OutboundHarness> {
  const clock = options.clock ?? new ManualClock(Date.now());
  let outbound!: Outbound;
  let queue!: Queue;
  const keys = options.keys ?? [masterKey()];
  const key = keys[0]!;
  const vault = createVault({ keys, clock });
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    const { database, logger } = app.deps;
    queue = createQueue({ database, logger: options.logger ?? logger, clock, concurrency: options.concurrency ?? 10, leaseSeconds: 30 });
    outbound = registerOutbound({ queue, database, vault, logger: options.logger ?? logger, clock, settings: { dispatchBudgetMs: 2_000, ...options.settings } });
    await app.register(outboundRoutes, { outbound });
  };
  const api = await createTestApi({ clock, plugins: [{ plugin }] });
  if (options.startQueue !== false) await queue.start();
  const auth = bearer(api.keys.admin);
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await api.app.inject({ method, url, headers: { ...auth, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  return {
    api,
    outbound,
    queue,
    vault,
    masterKey: key,
    clock,
    auth,
    post: (url, body, headers) => call('POST', url, body ?? {}, headers),
    get: (url) => call('GET', url),
    patch: (url, body) => call('PATCH', url, body),
    del: (url) => call('DELETE', url),
    async close() {
      await queue.stop({ graceMs: 0 });
      await outbound.stop();
      await api.close();
    },
  };
}

/** Creates an event type `name` (open schema unless one is given). */
export async function eventType(h: OutboundHarness, name: string, schema?: Record<string, unknown>): Promise<void> {
  const res = await h.post('/api/v1/event-types', { name, ...(schema ? { schema } : {}) });
  if (res.status !== 201) throw new Error(`event type: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Creates an endpoint and returns its id. */
export async function endpoint(h: OutboundHarness, body: Record<string, unknown>): Promise<string> {
  const res = await h.post('/api/v1/endpoints', body);
  if (res.status !== 201) throw new Error(`endpoint: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function publishEvent(h: OutboundHarness, body: Record<string, unknown>): Promise<string> {
  const res = await h.post('/api/v1/events', body);
  if (res.status !== 201 && res.status !== 200) throw new Error(`publish: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** The dev environment's scope (where the harness's key acts). */
export const devScope = (h: OutboundHarness) => ({ organizationId: h.api.seed.organization.id, environmentId: h.api.seed.environments.find((e) => e.name === 'dev')!.id });

// Polling reads the database, not the API: tests poll often, and the API's rate limits are real.

/** The delivery of a message to an endpoint, in the API's shape. */
export async function delivery(h: OutboundHarness, messageId: string, endpointId: string): Promise<ReturnType<typeof deliveryView>> {
  const found = (await deliveriesOf(h.api.database.db, devScope(h), messageId)).find((d) => d.endpointId === endpointId);
  if (!found) throw new Error(`no delivery of ${messageId} to ${endpointId}`);
  return deliveryView(found);
}

/** Attempts of a message, oldest first, in the API's shape. */
export async function attemptsOf(h: OutboundHarness, messageId: string): Promise<ReturnType<typeof attemptView>[]> {
  return (await listAttempts(h.api.database.db, devScope(h), messageId, { limit: 1_000 })).map(attemptView);
}
