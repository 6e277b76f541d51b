/**
 * The ingest path: find the source (cached), check method, size and address, verify the raw
 * bytes, store the request through the group commit, and answer — only after the commit. An
 * unverifiable request is answered 401 and kept as `rejected` (at most `rejectedPerMinute` per
 * source, so a flood of garbage cannot fill the table). Payloads are never logged.
 */
import { currentTraceContext } from '../../core/tracing.ts';
import { bodyField, getConnector, jsonField, loadRegistry, type Connector, type InboundWebhookRequest, type VerifyResult } from '../../connectors/index.ts';
import { Batcher, DEFAULT_MAX_JSON_DEPTH, jsonDepthExceeds, newId, ProblemError, problems, type Clock, type Logger } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { ipAllowed, verifyGeneric } from './generic.ts';
import type { Source } from './schema.ts';
import { findSourceForIngest, sourceSecrets } from './sources.ts';
import { storeBatch, type PendingEvent, type StoredEvent } from './store.ts';
import { isCredentialHeader, recordingHeaders } from './verification.ts';

export const MAX_INGEST_BODY_BYTES = 10 * 1024 * 1024;

export interface IngestRequest {
  sourceId: string;
  method: string;
  /** Path and query as received. */
  path: string;
  query: string;
  headers: Record<string, string>;
  rawBody: Buffer;
  remoteIp: string | undefined;
}

export interface IngestReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IngestorOptions {
  database: Database;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  /** The hub's public base URL: providers sign the URL they called (HubSpot, Twilio). */
  publicUrl: string;
  /** Group commit of received requests: most per transaction, transactions in flight at once. */
  groupCommit?: { maxBatch?: number; maxInFlight?: number };
  /** How long a source's settings and secrets are cached; changes made here invalidate at once. */
  cacheMs?: number;
  rejectedPerMinute?: number;
  /** A JSON body nesting deeper than this is refused before it is verified or stored. */
  maxJsonDepth?: number;
}

interface Loaded {
  source: Source;
  connector: Connector | undefined;
  secrets: string[];
  /** Header names whose values are credentials, never stored (besides those named like one). */
  secretHeaders: Set<string>;
  /** The methods the source accepts (its own and its preset's), and them as an `Allow` header. */
  methods: readonly string[];
  allow: string;
}

export const unverified = () => new ProblemError('webhook-unverified', 401, 'Webhook not verified', { detail: 'The request could not be verified against this source.' });

export class Ingestor {
  readonly #options: IngestorOptions;
  readonly #commit: Batcher<PendingEvent, StoredEvent>;
  readonly #cache = new Map<string, { until: number; loaded: Promise<Loaded | undefined> }>();
  readonly #rejected = new Map<string, { minute: number; count: number }>();

  constructor(options: IngestorOptions) {
    this.#options = options;
    const kind = options.database.kind;
    // Every request waits for the transaction that holds it; one the database refuses must not
    // fail the others, so a failed batch is written again item by item.
    this.#commit = new Batcher((items) => storeBatch(options.database.db, items, options.clock.now(), { bodyObjects: kind === 'pglite' }), {
      maxBatch: options.groupCommit?.maxBatch ?? 200,
      maxInFlight: options.groupCommit?.maxInFlight ?? (kind === 'pglite' ? 1 : 2),
      isolateFailures: true,
    });
  }

  /** Forgets a source's cached settings (after a change through this process). */
  invalidate(sourceId: string): void {
    this.#cache.delete(sourceId);
  }

  /** Waits for every write in flight (at shutdown). */
  drain(): Promise<void> {
    return this.#commit.drain();
  }

  async handle(request: IngestRequest): Promise<IngestReply> {
    const loaded = await this.#load(request.sourceId);
    if (!loaded || loaded.source.disabledAt) throw problems.notFound('Source', request.sourceId);
    const { source, connector } = loaded;
    const webhooks = connector?.webhooks;
    if (!loaded.methods.includes(request.method)) {
      throw new ProblemError('method-not-allowed', 405, 'Method not allowed', { detail: `This source accepts ${loaded.allow}.`, headers: { allow: loaded.allow } });
    }
    if (request.rawBody.length > source.maxBodyBytes) throw problems.payloadTooLarge(source.maxBodyBytes);
    // Refused at the door: acknowledged, it would exhaust the stack of the processing job on every attempt.
    const maxDepth = this.#options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
    if (looksLikeJson(request) && jsonDepthExceeds(request.rawBody, maxDepth)) throw problems.jsonTooDeep(maxDepth);

    const receivedAt = this.#options.clock.now();
    const inbound: InboundWebhookRequest = {
      method: request.method,
      url: this.#options.publicUrl + request.path + request.query,
      headers: request.headers,
      rawBody: request.rawBody,
      receivedAt,
    };
    // Every header the verification reads (a signature, a static key) is stored redacted.
    const read = new Set<string>();
    const result = await this.#verify(loaded, { ...inbound, headers: recordingHeaders(inbound.headers, read) }, request.remoteIp);
    if (!result.ok) {
      await this.#keepRejected(loaded, request, receivedAt, result.reason, read);
      throw unverified();
    }
    const handshake = webhooks?.handshake?.(inbound);
    if (handshake) return { status: handshake.status, headers: handshake.headers ?? {}, body: handshake.body ?? '' };

    const providerEventId = eventIdOf(source, connector, inbound);
    const stored = await this.#commit.add({
      row: this.#row(loaded, request, receivedAt, 'received', null, providerEventId, read),
      dedupe: providerEventId ? { key: providerEventId, windowSeconds: source.dedupeWindowSeconds } : undefined,
      // The group commit writes in a turn of its own: the request's trace is taken here.
      traceContext: currentTraceContext(),
    });
    return this.#reply(source, stored);
  }

  async #verify(loaded: Loaded, request: InboundWebhookRequest, remoteIp: string | undefined): Promise<VerifyResult> {
    const { source, connector, secrets } = loaded;
    if (!ipAllowed(remoteIp, source.allowedIps)) return { ok: false, reason: `the address ${remoteIp ?? '(unknown)'} is not allowed` };
    try {
      if (connector?.webhooks) {
        if (secrets.length === 0) return { ok: false, reason: 'the source has no secret to verify with' };
        return await connector.webhooks.verify(request, secrets, { toleranceSeconds: source.toleranceSeconds, settings: source.settings });
      }
      if (source.verification.type !== 'none' && secrets.length === 0) return { ok: false, reason: 'the source has no secret to verify with' };
      return verifyGeneric(source.verification, request, secrets, source.toleranceSeconds);
    } catch {
      // A verifier that throws on a malformed request has refused it.
      return { ok: false, reason: 'the request could not be read for verification' };
    }
  }

  async #keepRejected(loaded: Loaded, request: IngestRequest, receivedAt: Date, reason: string, read: ReadonlySet<string>): Promise<void> {
    const minute = Math.floor(receivedAt.getTime() / 60_000);
    const counter = this.#rejected.get(loaded.source.id);
    const count = counter && counter.minute === minute ? counter.count + 1 : 1;
    this.#rejected.set(loaded.source.id, { minute, count });
    if (count > (this.#options.rejectedPerMinute ?? 60)) return;
    try {
      await this.#commit.add({ row: this.#row(loaded, request, receivedAt, 'rejected', reason, undefined, read) });
    } catch (err) {
      this.#options.logger.warn({ err, sourceId: loaded.source.id }, 'could not keep a rejected webhook');
    }
  }

  #row(
    loaded: Loaded,
    request: IngestRequest,
    receivedAt: Date,
    status: 'received' | 'rejected',
    rejectionReason: string | null,
    providerEventId: string | undefined,
    readByVerification: ReadonlySet<string>,
  ): PendingEvent['row'] {
    const headers: Record<string, string> = {};
    for (const name in request.headers) {
      const secret = loaded.secretHeaders.has(name) || readByVerification.has(name) || credentialHeader(name);
      headers[name] = secret ? '[redacted]' : request.headers[name]!;
    }
    return {
      id: newId('inb'),
      organizationId: loaded.source.organizationId,
      environmentId: loaded.source.environmentId,
      sourceId: loaded.source.id,
      status,
      method: request.method,
      path: request.path,
      query: redactedQuery(request.query, loaded.secrets),
      headers,
      body: request.rawBody,
      remoteIp: request.remoteIp ?? null,
      receivedAt,
      rejectionReason,
      providerEventId: providerEventId ?? null,
      updatedAt: receivedAt,
    };
  }

  #reply(source: Source, stored: StoredEvent): IngestReply {
    const headers: Record<string, string> = { 'x-inbound-event-id': stored.id };
    if (source.response.body !== undefined) {
      headers['content-type'] = source.response.contentType ?? 'text/plain; charset=utf-8';
      return { status: source.response.status, headers, body: source.response.body };
    }
    headers['content-type'] = 'application/json; charset=utf-8';
    return { status: source.response.status, headers, body: JSON.stringify({ id: stored.id, status: stored.status }) };
  }

  #load(id: string): Promise<Loaded | undefined> {
    const now = Date.now();
    const cached = this.#cache.get(id);
    if (cached && cached.until > now) return cached.loaded;
    // Unknown ids are cached too, so a scan of random ids costs one query per id per period.
    const loaded = this.#fetch(id).catch((err: unknown) => {
      this.#cache.delete(id);
      throw err;
    });
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(id, { until: now + (this.#options.cacheMs ?? 5_000), loaded });
    return loaded;
  }

  async #fetch(id: string): Promise<Loaded | undefined> {
    if (!/^src_[0-9a-z]{20,60}$/.test(id)) return undefined;
    const { db } = this.#options.database;
    const source = await findSourceForIngest(db, id);
    if (!source) return undefined;
    if (source.connectorKey) await loadRegistry();
    const connector = source.connectorKey ? getConnector(source.connectorKey) : undefined;
    const secrets = await sourceSecrets(db, this.#options.vault, source, this.#options.clock.now());
    const secretHeaders = new Set<string>();
    if (source.verification.type === 'header') secretHeaders.add(source.verification.header.toLowerCase());
    if (source.settings.authorizationHeader) secretHeaders.add(source.settings.authorizationHeader.toLowerCase());
    const methods = [...source.allowedMethods, ...(connector?.webhooks?.methods ?? [])];
    return { source, connector, secrets, secretHeaders, methods, allow: methods.join(', ') };
  }
}

const credentialNames = new Map<string, boolean>();

/** `isCredentialHeader`, remembered per name: senders repeat the same few headers on every request. */
function credentialHeader(name: string): boolean {
  let known = credentialNames.get(name);
  if (known === undefined) {
    known = isCredentialHeader(name);
    // Names are chosen by senders: a flood of made-up ones must not grow the map without bound.
    if (credentialNames.size >= 1_000) credentialNames.clear();
    credentialNames.set(name, known);
  }
  return known;
}

/**
 * The query string as stored: a parameter that carries a credential — one of the source's secrets
 * (Docker Hub's `?token=`, which is how such a provider is verified) or one named like a credential
 * (`api_key`, `token`) — is kept as `[redacted]`, like such headers.
 */
function redactedQuery(query: string, secrets: readonly string[]): string {
  if (!query || query === '?') return query;
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  let changed = false;
  for (const [name, value] of [...params]) {
    if ((value !== '' && secrets.includes(value)) || isCredentialHeader(name.replaceAll('_', '-'))) {
      params.set(name, '[redacted]');
      changed = true;
    }
  }
  return changed ? `?${params.toString().replaceAll('%5Bredacted%5D', '[redacted]')}` : query;
}

/** A JSON content type, or a body that opens like a JSON document. */
function looksLikeJson(request: IngestRequest): boolean {
  if (/json/i.test(request.headers['content-type'] ?? '')) return true;
  const body = request.rawBody;
  for (let i = 0; i < body.length && i < 64; i++) {
    const c = body[i]!;
    if (c === 0x7b || c === 0x5b) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The provider's id of a delivery: the preset's, or where a generic source says it is. */
function eventIdOf(source: Source, connector: Connector | undefined, request: InboundWebhookRequest): string | undefined {
  let id: string | undefined;
  try {
    if (connector?.webhooks) id = connector.webhooks.eventId(request);
    else if (source.eventIdHeader) id = request.headers[source.eventIdHeader.toLowerCase()];
    else if (source.eventIdPointer) id = bodyField(request, pointerPath(source.eventIdPointer));
  } catch {
    id = undefined;
  }
  // Text PostgreSQL cannot store (NUL, lone surrogates) would fail the whole batch.
  return id ? id.slice(0, 500).replace(UNSTORABLE, '\ufffd') : undefined;
}

/** RFC 6901 JSON pointer (`/data/id`) to a string or number. */
export function jsonPointer(value: unknown, pointer: string): string | undefined {
  return jsonField(value, pointerPath(pointer));
}

/** A JSON pointer as the dotted path `jsonField` reads (a dotted path is taken as it is). */
function pointerPath(pointer: string): string {
  if (!pointer.startsWith('/')) return pointer;
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}
