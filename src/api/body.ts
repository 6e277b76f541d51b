/**
 * How the API reads requests: the JSON parser (with the nesting limit, checked before parsing),
 * the body limits per route class, and the time a client has to send its headers and body.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JsonDepthError, JsonPrototypeError, parseJsonWithin, ProblemError, problems, type Config } from '../core/index.ts';
import { MAX_INGEST_BODY_BYTES } from '../webhooks/inbound/index.ts';
import { PROBLEM_CONTENT_TYPE } from './problems.ts';

const MiB = 1024 * 1024;

/** One body limit per route class (bytes), as the README's "Limits" section states them. */
export const BODY_LIMITS = {
  /** Every JSON route that names no other limit: management, and `POST /events` (one event). */
  json: MiB,
  /** `POST /events/batch`, the whole batch. */
  eventBatch: 16 * MiB,
  /** One event inside `POST /events/batch`: the same as `POST /events`. */
  batchEvent: MiB,
  /** `/webhooks/in/{sourceId}` (a source may set a smaller one). */
  inboundWebhook: MAX_INGEST_BODY_BYTES,
  /** `/proxy/{connectionId}/*`, passed through as bytes. */
  proxy: 10 * MiB,
} as const;

const BODYLESS_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS']);

/**
 * Replaces Fastify's JSON parser with one that refuses documents nesting deeper than `maxDepth`
 * (400 `json-too-deep`) before `JSON.parse` sees them, and prototype keys (400), as problems.
 */
export function registerJsonParser(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => {
    // Clients such as Zapier's send their default JSON Content-Type on a bodyless DELETE too.
    if (body.length === 0 && BODYLESS_METHODS.has(request.method)) return done(null, undefined);
    if (body.length === 0) return done(problems.badRequest('The body is empty but its Content-Type says JSON: send a JSON document or no Content-Type.'));
    try {
      done(null, parseJsonWithin(body, maxDepth));
    } catch (err) {
      if (err instanceof JsonDepthError) return done(problems.jsonTooDeep(err.limit));
      if (err instanceof JsonPrototypeError) return done(problems.badRequest('The body may not use the keys __proto__ or constructor.prototype.'));
      done(err as Error);
    }
  });
}

/**
 * Server options for the request deadlines: headers within `headersTimeoutSeconds`, the whole
 * request within `requestTimeoutSeconds`, checked every second (Node checks every 30 s by
 * default, so a slow sender was answered up to 30 s late).
 */
export function timeoutOptions(config: Pick<Config, 'headersTimeoutSeconds' | 'requestTimeoutSeconds'>) {
  return {
    requestTimeout: config.requestTimeoutSeconds * 1000,
    http: { headersTimeout: config.headersTimeoutSeconds * 1000, connectionsCheckingInterval: 1000 },
  };
}

/**
 * Answers what Node refuses before Fastify sees a request — a sender too slow (408), headers too
 * large (431), bytes that are not HTTP (400) — as problem+json on the raw socket, then closes it.
 */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const problem =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ProblemError('request-timeout', 408, 'Request timeout', { detail: 'The request (headers and body) did not arrive in time; the connection is closed.' })
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new ProblemError('headers-too-large', 431, 'Request header fields too large', { detail: 'The request headers are larger than this server accepts (16 KiB).' })
        : problems.badRequest('The request could not be read as HTTP.');
  this.log.debug({ code: err.code, status: problem.status }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(problem.toJSON());
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
