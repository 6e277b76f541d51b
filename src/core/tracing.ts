/**
 * OpenTelemetry traces. Code everywhere uses `@opentelemetry/api` through the helpers here; the
 * SDK and the OTLP HTTP exporter are imported only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
 * (`startTracing`). Until then every helper returns at its first line: no span objects, no
 * context lookups, nothing added to job payloads.
 *
 * One trace follows work across processes: an API request's span is active while its handler
 * runs, `withTraceCarrier` writes the active context (W3C `traceparent`) into the payload of every
 * job enqueued meanwhile, and the worker continues from it (`takeTraceCarrier`), so a provider
 * call or a delivery attempt made by that job is a child of the request that caused it.
 */
import { context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';

export { SpanKind };

/** The payload key that carries trace context in a job (removed before a handler sees the payload). */
export const TRACE_CARRIER_KEY = '_trace';

export interface Tracing {
  /** Exports the spans ended so far (tests, and before a process exits). */
  flush(): Promise<void>;
  /** Flushes and unregisters the SDK; the helpers go back to doing nothing. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { flush: async () => undefined, shutdown: async () => undefined };
let enabled = false;
let running: Promise<Tracing> | undefined;

export const tracingEnabled = (): boolean => enabled;

/**
 * Starts the SDK once per process when an endpoint is configured (later calls share it).
 *
 * @example const tracing = await startTracing({ otlpEndpoint: config.otlpEndpoint }, logger);
 */
export function startTracing(options: { otlpEndpoint: string | undefined; serviceName?: string }, logger?: Logger): Promise<Tracing> {
  if (!options.otlpEndpoint) return Promise.resolve(OFF);
  running ??= load(options.otlpEndpoint, options.serviceName ?? 'patchbay', logger).catch((err: unknown) => {
    running = undefined;
    throw err;
  });
  return running;
}

async function load(endpoint: string, serviceName: string, logger: Logger | undefined): Promise<Tracing> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  // The variable names the OTLP base URL; traces go to its /v1/traces (the OTLP/HTTP convention).
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 })],
  });
  provider.register();
  enabled = true;
  logger?.info({ endpoint: endpoint.split('?')[0] }, 'tracing to an OTLP endpoint');
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      enabled = false;
      running = undefined;
      await provider.shutdown().catch((err: unknown) => logger?.warn({ err }, 'could not flush the last spans'));
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

const tracer = () => trace.getTracer('patchbay');

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context when omitted. */
  parent?: Context | undefined;
}

/**
 * Runs `fn` inside a new active span that ends when `fn` settles; a thrown error marks it failed.
 * Without tracing it is just `fn()`.
 *
 * @example await inSpan('provider call', { kind: SpanKind.CLIENT, attributes: { 'patchbay.provider': key } }, () => fetch(…));
 */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!enabled) return fn(undefined);
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

/** Starts a span that the caller ends (a request: started in one hook, ended in another). */
export function startSpan(name: string, options: SpanOptions): { span: Span; context: Context } | undefined {
  if (!enabled) return undefined;
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `fn` with `ctx` active (a span started by `startSpan`); just `fn()` without one. */
export function runInContext<T>(ctx: Context | undefined, fn: () => T): T {
  return ctx ? context.with(ctx, fn) : fn();
}

/** The context a W3C `traceparent` header (or job carrier) names, to continue a trace from it. */
export function extractContext(carrier: Record<string, unknown> | undefined): Context | undefined {
  if (!enabled || !carrier) return undefined;
  return propagation.extract(context.active(), carrier, {
    get: (c, key) => (typeof c[key] === 'string' ? (c[key] as string) : undefined),
    keys: (c) => Object.keys(c),
  });
}

/** Marks a span failed when it records an unsuccessful outcome (an HTTP 5xx, a failed attempt). */
export function failSpan(span: Span | undefined, message: string): void {
  span?.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * A job payload with the active trace context added under `_trace`, when tracing is on and a span
 * is active; otherwise the payload itself, untouched. Only plain objects carry it.
 */
export function withTraceCarrier<P>(payload: P): P {
  if (!enabled || payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  if (!trace.getSpan(context.active())) return payload;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return payload;
  return { ...payload, [TRACE_CARRIER_KEY]: carrier } as P;
}

/** Splits a job payload into what its handler expects and the trace context it carried. */
export function takeTraceCarrier<P>(payload: P): { payload: P; parent: Context | undefined } {
  if (payload === null || typeof payload !== 'object' || !(TRACE_CARRIER_KEY in payload)) return { payload, parent: undefined };
  const { [TRACE_CARRIER_KEY]: carrier, ...rest } = payload as Record<string, unknown>;
  const parent = carrier !== null && typeof carrier === 'object' ? extractContext(carrier as Record<string, unknown>) : undefined;
  return { payload: rest as P, parent };
}
