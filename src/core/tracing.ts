/**
 * OpenTelemetry traces. Code everywhere uses `@opentelemetry/api` through the helpers here; the
 * SDK and the OTLP HTTP exporter are imported only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
 * (`startTracing`). Until then every helper returns at its first line: no span objects, no
 * context lookups, nothing stored with jobs or messages.
 *
 * One trace follows work across processes, the way messaging systems carry it (OTel semantic
 * conventions for messaging: the creation context travels with the message). An API request's
 * span is active while its handler runs; `currentTraceContext` gives its W3C `traceparent`,
 * which enqueue stores in the job row (`jobs.trace_context`) and a publish in the message row
 * (`outbound_messages.trace_context`). The worker runs the job in a consumer span that is a child
 * of that context, so a provider call or a delivery attempt made by the job belongs to the
 * request that caused it — one trace id from the request to the attempt's HTTP span.
 */
import { context, propagation, ROOT_CONTEXT, trace, SpanKind, SpanStatusCode, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Logger } from 'pino';

export { SpanKind };

/** A W3C trace context as stored with a job or a message (the `traceparent` and `tracestate` headers). */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

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

export interface TracingOptions {
  otlpEndpoint: string | undefined;
  serviceName?: string;
  /** Spans go here instead of to an OTLP endpoint, each as it ends (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/**
 * Starts the SDK once per process when an endpoint (or an exporter) is given; later calls share it.
 *
 * @example const tracing = await startTracing({ otlpEndpoint: config.otlpEndpoint }, logger);
 */
export function startTracing(options: TracingOptions, logger?: Logger): Promise<Tracing> {
  if (!options.otlpEndpoint && !options.exporter) return Promise.resolve(OFF);
  running ??= load(options, logger).catch((err: unknown) => {
    running = undefined;
    throw err;
  });
  return running;
}

async function load(options: TracingOptions, logger: Logger | undefined): Promise<Tracing> {
  const [{ NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ]);
  let processor;
  if (options.exporter) processor = new SimpleSpanProcessor(options.exporter);
  else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    // The variable names the OTLP base URL; traces go to its /v1/traces (the OTLP/HTTP convention).
    const exporter = new OTLPTraceExporter({ url: `${options.otlpEndpoint!.replace(/\/$/, '')}/v1/traces` });
    processor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'patchbay' }),
    spanProcessors: [processor],
  });
  provider.register();
  enabled = true;
  if (options.otlpEndpoint) logger?.info({ endpoint: options.otlpEndpoint.split('?')[0] }, 'tracing to an OTLP endpoint');
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
  /** Spans this one is related to without being their child (a batch's messages, the run that carried a message). */
  links?: Link[] | undefined;
}

function spanStart(options: SpanOptions) {
  return {
    kind: options.kind ?? SpanKind.INTERNAL,
    ...(options.attributes ? { attributes: options.attributes } : {}),
    ...(options.links && options.links.length > 0 ? { links: options.links } : {}),
  };
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
  const span = tracer().startSpan(name, spanStart(options), parent);
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
  const span = tracer().startSpan(name, spanStart(options), parent);
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
 * The active span's context, to store with a job or a message; null when tracing is off or no
 * span is active (then nothing is stored, and the work starts a trace of its own).
 */
export function currentTraceContext(): TraceContext | null {
  if (!enabled) return null;
  const active = context.active();
  if (!trace.getSpan(active)) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  if (!carrier.traceparent) return null;
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent };
}

/**
 * The parent of work that carried a stored context: that context, or the root when there is
 * none — never whatever happens to be active where a worker was woken (a request's enqueue).
 */
export function storedParent(stored: TraceContext | null | undefined): Context {
  return (stored && extractContext(stored as unknown as Record<string, unknown>)) || ROOT_CONTEXT;
}

/** The trace id a stored context names (the 32 hex digits of its `traceparent`). */
export function traceIdOf(stored: TraceContext | null | undefined): string | undefined {
  return stored?.traceparent.split('-')[1];
}

/** The active span, to link to or compare with (undefined when tracing is off). */
export function activeSpan(): Span | undefined {
  return enabled ? trace.getSpan(context.active()) : undefined;
}
