/**
 * A server span per API request, named by route template (`POST /api/v1/events`), continuing a
 * caller's W3C `traceparent` when one is sent. The span is active while the handler runs, so the
 * jobs a handler enqueues carry it (see core/tracing.ts). Without tracing the hooks return at once.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context, Span } from '@opentelemetry/api';
import { routeOf } from './context.ts';
import { extractContext, failSpan, runInContext, SpanKind, startSpan, tracingEnabled } from '../core/tracing.ts';

const spans = new WeakMap<FastifyRequest, { span: Span; context: Context }>();

export function registerRequestTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (!tracingEnabled()) return done();
    const route = routeOf(request).url ?? 'unmatched';
    const started = startSpan(`${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      parent: extractContext(request.headers as Record<string, unknown>),
      attributes: { 'http.request.method': request.method, 'http.route': route, 'patchbay.request_id': request.id },
    });
    if (started) spans.set(request, started);
    done();
  });
  // After the body is read: from here the handler (and any later hooks) run inside the span.
  app.addHook('preHandler', (request, _reply, done) => {
    runInContext(spans.get(request)?.context, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const started = spans.get(request);
    if (started) {
      started.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) failSpan(started.span, `HTTP ${reply.statusCode}`);
      started.span.end();
      spans.delete(request);
    }
    done();
  });
}
