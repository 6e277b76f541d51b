/**
 * How the API reads requests: the JSON parser (with the nesting limit, checked before parsing)
 * and the body limits per route class.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JsonDepthError, JsonPrototypeError, parseJsonWithin, problems } from '../core/index.ts';

const MiB = 1024 * 1024;

/**
 * One body limit per route class (bytes), as the README's "Limits" section states them. Routes
 * of other modules name theirs from here or keep their own documented constant (inbound webhooks,
 * the proxy: 10 MiB).
 */
export const BODY_LIMITS = {
  /** Every JSON route that names no other limit: management, and `POST /events` (one event). */
  json: MiB,
  /** `POST /events/batch`, the whole batch. */
  eventBatch: 16 * MiB,
  /** One event inside `POST /events/batch`: the same as `POST /events`. */
  batchEvent: MiB,
} as const;

/**
 * Replaces Fastify's JSON parser with one that refuses documents nesting deeper than `maxDepth`
 * (400 `json-too-deep`) before `JSON.parse` sees them, and prototype keys (400), as problems.
 */
export function registerJsonParser(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => {
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
