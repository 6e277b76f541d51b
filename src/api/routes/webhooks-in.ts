/**
 * `/webhooks/in/{sourceId}`: where providers deliver. The body is read raw (verification needs
 * the exact bytes) with this route's own parser: at most 10 MiB (413), within a deadline (408
 * for a sender too slow). The answer comes only after the request is committed.
 */
import type { IncomingMessage } from 'node:http';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, problems, Semaphore } from '../../core/index.ts';
import { MAX_INGEST_BODY_BYTES } from '../../webhooks/inbound/index.ts';
import { problemResponses } from '../schemas.ts';
import type { InboundRuntimeOf } from './inbound-runtime.ts';

export interface IngestRouteOptions {
  /** A body not fully received by then is refused with 408. */
  bodyTimeoutMs?: number;
}

/** Bodies above this (or of unknown length) count against `PATCHBAY_MAX_LARGE_INBOUND_BODIES`. */
export const LARGE_BODY_BYTES = 1024 * 1024;

const Params = Type.Object({ sourceId: Type.String({ maxLength: 200 }) });
const OTHER_METHODS = ['GET', 'PUT', 'PATCH', 'DELETE'] as const;

function rawBodyParser(limit: number, timeoutMs: number) {
  return (request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: Buffer) => void) => {
    const declared = Number(request.headers['content-length']);
    if (declared > limit) {
      payload.resume();
      return done(problems.payloadTooLarge(limit));
    }
    // With a declared length the body is read into one buffer of that size: no second copy.
    const preallocated = Number.isInteger(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (err: Error | null, body?: Buffer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      payload.removeListener('aborted', onAborted);
      if (err) payload.resume();
      done(err, body);
    };
    const onData = (chunk: Buffer) => {
      if (preallocated && size + chunk.length <= preallocated.length) chunk.copy(preallocated, size);
      else chunks.push(chunk);
      size += chunk.length;
      if (size > limit) finish(problems.payloadTooLarge(limit));
    };
    // A sender whose body differs from its Content-Length is refused by Node's HTTP parser
    // before this; the fallback only covers what Node let through.
    const onEnd = () =>
      finish(
        null,
        preallocated && size === preallocated.length ? preallocated : Buffer.concat(preallocated ? [preallocated.subarray(0, Math.min(size, preallocated.length)), ...chunks] : chunks, size),
      );
    const onError = () => finish(problems.badRequest('The body could not be read.'));
    const onAborted = () => finish(problems.badRequest('The sender closed the connection before the body was complete.'));
    const timer = setTimeout(
      () => finish(new ProblemError('request-timeout', 408, 'Request timeout', { detail: `The body was not received within ${timeoutMs} ms.`, headers: { connection: 'close' } })),
      timeoutMs,
    );
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.on('aborted', onAborted);
  };
}

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

export const ingestRoutes =
  (runtimeOf: InboundRuntimeOf, options: IngestRouteOptions = {}): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.removeAllContentTypeParsers();
    // Large bodies take a slot before they are read and keep it until the answer is sent: memory
    // holds a bounded number of them however many senders arrive at once (the others wait, unread,
    // in their sockets).
    const largeBodies = new Semaphore(app.deps.config.maxLargeInboundBodies);
    app.addHook('onRequest', async (request, reply) => {
      // A body of unknown length (chunked) may be large; a request with no body never waits.
      const chunked = request.headers['transfer-encoding'] !== undefined;
      if (!chunked && !(Number(request.headers['content-length']) > LARGE_BODY_BYTES)) return;
      const release = await largeBodies.acquire();
      if (reply.raw.writableFinished || reply.raw.destroyed) return release();
      reply.raw.once('close', release);
    });
    app.addContentTypeParser('*', rawBodyParser(MAX_INGEST_BODY_BYTES, options.bodyTimeoutMs ?? 30_000));

    const handler = async (request: FastifyRequest<{ Params: { sourceId: string } }>, reply: FastifyReply) => {
      const headers: Record<string, string> = {};
      const received = request.headers;
      for (const name in received) {
        const text = header(received[name]);
        if (text !== undefined) headers[name] = text;
      }
      const q = request.url.indexOf('?');
      const answer = await runtimeOf(app).ingestor.handle({
        sourceId: request.params.sourceId,
        method: request.method,
        path: q < 0 ? request.url : request.url.slice(0, q),
        query: q < 0 ? '' : request.url.slice(q),
        headers,
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        remoteIp: request.ip,
      });
      return reply
        .status(answer.status)
        .headers(answer.headers)
        .serializer((v: unknown) => v as string)
        .send(answer.body);
    };

    app.post(
      '/webhooks/in/:sourceId',
      {
        bodyLimit: MAX_INGEST_BODY_BYTES,
        config: { public: true },
        schema: {
          operationId: 'receiveWebhook',
          tags: ['inbound'],
          summary: 'Where a provider delivers webhooks to a source: verified against the raw body, stored, then acknowledged (the answer is configurable per source)',
          security: [],
          params: Params,
          response: {
            200: Type.Unknown({ description: 'Stored (or a duplicate of an event stored before); the source chooses the status and body' }),
            ...problemResponses(400, 401, 404, 405, 408, 413),
          },
        },
      },
      handler,
    );
    // Other methods reach the same handler, which refuses them unless the source allows them.
    app.route({ method: [...OTHER_METHODS], url: '/webhooks/in/:sourceId', bodyLimit: MAX_INGEST_BODY_BYTES, config: { public: true }, schema: { hide: true, params: Params }, handler });
  };
