/**
 * HashiCorp Vault simulator: the KV secrets engine version 2 over HTTP, on loopback.
 *
 * Follows Vault's published API reference:
 * - https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2 — "Read secret version"
 *   (`GET /v1/:mount/data/:path?version=N` → `{ data: { data, metadata } }`), "Create/Update
 *   secret" (`POST`/`PUT` `{ options: { cas }, data }` → `{ data: metadata }`), "Delete latest
 *   version of secret" (`DELETE` → 204, a soft delete).
 * - https://developer.hashicorp.com/vault/api-docs — "Authentication" (`X-Vault-Token`, or
 *   `Authorization: Bearer`), "Error response" (`{"errors": [...]}` for every status ≥ 400),
 *   "HTTP status codes" (403 for a missing or refused token, 404 for a path with no secret;
 *   `{"errors":[]}` when there is nothing to say).
 * A read of a deleted or destroyed version answers 404 with `data.data` null and the version's
 * metadata, as the KV v2 engine does. Tokens may be limited to path prefixes, like a policy.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

interface Version {
  data: Record<string, unknown>;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface VaultSimulatorOptions {
  /** Mounts with a KV v2 engine. Default `['secret']`. */
  mounts?: string[];
  /** Token → the `mount/path` prefixes it may read and write (`['*']`: everything). Default `{ root: ['*'] }`. */
  tokens?: Record<string, string[]>;
}

export interface VaultSimulator {
  url: string;
  /** Writes a new version, as `vault kv put` would; returns its number. */
  put(mount: string, path: string, data: Record<string, unknown>): number;
  /** Soft-deletes the latest version, as `vault kv delete` would. */
  deleteLatest(mount: string, path: string): void;
  /** Every request seen, for assertions (tokens not kept). */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

export async function startVaultSimulator(options: VaultSimulatorOptions = {}): Promise<VaultSimulator> {
  const mounts = new Set(options.mounts ?? ['secret']);
  const tokens = options.tokens ?? { root: ['*'] };
  const store = new Map<string, Version[]>(); // key `mount/path`
  const requests: VaultSimulator['requests'] = [];

  const write = (key: string, data: Record<string, unknown>): Version[] => {
    const versions = store.get(key) ?? [];
    versions.push({ data: structuredClone(data), createdTime: new Date().toISOString(), deletionTime: '', destroyed: false });
    store.set(key, versions);
    return versions;
  };
  const metadata = (v: Version, version: number) => ({
    created_time: v.createdTime,
    custom_metadata: null,
    deletion_time: v.deletionTime,
    destroyed: v.destroyed,
    version,
  });
  const envelope = (data: unknown) => ({
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
  });

  const server = http.createServer((req, res) => {
    const send = (status: number, body?: unknown) => {
      if (body === undefined) {
        res.writeHead(status).end();
        return;
      }
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    };
    const url = new URL(req.url ?? '/', 'http://vault');
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search });

    const header = req.headers['x-vault-token'];
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = (Array.isArray(header) ? header[0] : header) ?? bearer;
    const allowed = token === undefined ? undefined : tokens[token];
    if (!allowed) return send(403, { errors: ['permission denied'] });

    const match = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(url.pathname);
    if (!match || !mounts.has(decodeURIComponent(match[1]!))) {
      return send(404, { errors: [`no handler for route "${url.pathname.slice(4)}". route entry not found.`] });
    }
    const mount = decodeURIComponent(match[1]!);
    const path = match[2]!.split('/').map(decodeURIComponent).join('/');
    const key = `${mount}/${path}`;
    if (!allowed.some((prefix) => prefix === '*' || key.startsWith(prefix))) return send(403, { errors: ['permission denied'] });

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const versions = store.get(key) ?? [];
      switch (req.method) {
        case 'GET': {
          const raw = url.searchParams.get('version');
          const number = raw && raw !== '0' ? Number(raw) : versions.length;
          const version = versions[number - 1];
          if (!version) return send(404, { errors: [] });
          if (version.deletionTime || version.destroyed) return send(404, envelope({ data: null, metadata: metadata(version, number) }));
          return send(200, envelope({ data: version.data, metadata: metadata(version, number) }));
        }
        case 'POST':
        case 'PUT': {
          let body: { data?: unknown; options?: { cas?: number } };
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof body;
          } catch {
            return send(400, { errors: ['failed to parse JSON input'] });
          }
          if (!body.data || typeof body.data !== 'object') return send(400, { errors: ['no data provided'] });
          if (body.options?.cas !== undefined && body.options.cas !== versions.length) {
            return send(400, { errors: [`check-and-set parameter did not match the current version`] });
          }
          const written = write(key, body.data as Record<string, unknown>);
          return send(200, envelope(metadata(written[written.length - 1]!, written.length)));
        }
        case 'DELETE': {
          const latest = versions[versions.length - 1];
          if (latest) latest.deletionTime = new Date().toISOString();
          return send(204);
        }
        default:
          return send(405, { errors: [] });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    put: (mount, path, data) => write(`${mount}/${path}`, data).length,
    deleteLatest(mount, path) {
      const latest = store.get(`${mount}/${path}`)?.at(-1);
      if (latest) latest.deletionTime = new Date().toISOString();
    },
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
