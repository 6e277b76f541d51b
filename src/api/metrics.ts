import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { routeOf } from './context.ts';

/** Requests by route template and status class (`2xx`…), with a latency histogram; never ids as labels. */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'patchbay_http_requests_total',
    help: 'HTTP requests by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'patchbay_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // The labelled children, looked up once per method, route and status class instead of
  // prom-client hashing the labels on every request. Bounded: routes are templates.
  const counters = new Map<string, { inc(): void }>();
  const timers = new Map<string, { observe(value: number): void }>();
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: ids would explode the label set.
    const route = routeOf(request).url ?? 'unmatched';
    const method = request.method;
    const statusClass = `${Math.floor(reply.statusCode / 100)}xx`;
    const timerKey = `${method} ${route}`;
    const counterKey = `${timerKey} ${statusClass}`;
    let counter = counters.get(counterKey);
    if (!counter) counters.set(counterKey, (counter = requests.labels({ method, route, status_class: statusClass })));
    let timer = timers.get(timerKey);
    if (!timer) timers.set(timerKey, (timer = duration.labels({ method, route })));
    counter.inc();
    timer.observe(reply.elapsedTime / 1000);
    done();
  });
}
