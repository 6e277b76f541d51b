/**
 * Operations tests run a whole hub (API, workers, every module) in this process on a test
 * database, listening on loopback, with the `acme` organization seeded and its `dev` environment
 * allowed to reach receivers and simulators on loopback. `env` adds configuration variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, LOG_LEVEL…) read through the config module like a real start.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { createLogger, loadConfig, systemClock, type Config } from '../../src/core/index.ts';
import { bootstrapOrganization, type BootstrapResult } from '../../src/auth/index.ts';
import { createHub, type Hub, type HubModule } from '../../src/hub/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

export { waitFor, sleep } from '../queue/helpers.ts';
export { startReceiver, type Receiver } from '../webhooks/outbound/support.ts';

export const OWNER_PASSWORD = 'correct horse battery staple';

export interface OpsHub {
  hub: Hub;
  config: Config;
  database: TestDatabase;
  seed: BootstrapResult;
  url: string;
  /** Every line the hub logged, as written. */
  logs(): string;
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startOpsHub(env: Record<string, string> = {}, options: { modules?: HubModule[] } = {}): Promise<OpsHub> {
  const database = await createTestDatabase();
  const config = loadConfig({
    PATCHBAY_DATA_DIR: database.dataDir,
    PUBLIC_URL: 'http://localhost:4000',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...(database.url ? { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS } : {}),
    ...env,
  });
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  // The logger a real start builds (createHub's default), writing here instead of to stdout.
  const logger = createLogger({ level: config.logLevel, destination, base: { service: 'patchbay', role: 'all' } });
  const hub = await createHub({ config, database, logger, clock: systemClock, ...(options.modules ? { modules: options.modules } : {}) });
  await hub.start();
  const seed = (await bootstrapOrganization(database.db, {
    organizationName: 'Acme',
    organizationSlug: 'acme',
    environments: ['dev', 'prod'],
    ownerEmail: 'owner@acme.test',
    ownerName: 'Olive Owner',
    ownerPassword: OWNER_PASSWORD,
    keyEnvironment: 'dev',
    allowPrivateNetworksIn: ['dev'],
  }))!;
  const url = hub.url!.replace('localhost', '127.0.0.1');
  return {
    hub,
    config,
    database,
    seed,
    url,
    logs: () => chunks.join(''),
    async api(method, path, body, headers = {}) {
      const res = await request(`${url}${path}`, {
        method: method as 'GET',
        headers: { authorization: `Bearer ${seed.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON: kept as text.
      }
      return { status: res.statusCode, body: parsed as never, headers: res.headers };
    },
    async close() {
      await hub.stop();
      await database.drop();
    },
  };
}

/** A span as an OTLP/HTTP JSON export carries it. */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number; message?: string };
  service: string;
}

/** An in-process OTLP/HTTP trace receiver on loopback: decodes the JSON exports it is sent. */
export interface OtlpReceiver {
  /** The base URL to configure as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ExportedSpan[];
  /** The paths and content types of the export requests. */
  requests: { path: string; contentType: string }[];
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}

const valueOf = (v: OtlpValue): unknown => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
const attributesOf = (list: { key: string; value: OtlpValue }[] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = { url: '', spans: [], requests: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests.push({ path: req.url ?? '', contentType: String(req.headers['content-type'] ?? '') });
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      try {
        const body = JSON.parse(raw.toString('utf8')) as {
          resourceSpans?: { resource?: { attributes?: { key: string; value: OtlpValue }[] }; scopeSpans?: { spans?: (Omit<ExportedSpan, 'attributes' | 'service'> & { attributes?: { key: string; value: OtlpValue }[] })[] }[] }[];
        };
        for (const resource of body.resourceSpans ?? []) {
          const service = String(attributesOf(resource.resource?.attributes)['service.name'] ?? '');
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) receiver.spans.push({ ...span, attributes: attributesOf(span.attributes), service });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

/** A span's ancestors, nearest first, as far as the receiver has them. */
export function ancestors(spans: ExportedSpan[], span: ExportedSpan): ExportedSpan[] {
  const out: ExportedSpan[] = [];
  let current: ExportedSpan | undefined = span;
  while (current?.parentSpanId) {
    const parentId: string = current.parentSpanId;
    current = spans.find((s) => s.spanId === parentId && s.traceId === span.traceId);
    if (current) out.push(current);
  }
  return out;
}
