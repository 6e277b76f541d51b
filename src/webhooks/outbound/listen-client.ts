/**
 * The client half of `patchbay listen`: opens the hub's server-sent-events stream
 * (`GET /api/v1/listen`), and forwards each message, with the signed headers the hub computed,
 * to a local URL — one at a time, in order. The CLI command prints what `onReady` and
 * `onForward` report.
 *
 * @example
 * const session = await listen({ url: 'https://hub.example.com', apiKey, forwardTo: 'http://localhost:3000/hooks',
 *   onReady: ({ secret }) => console.log(`Verify with ${secret}`),
 *   onForward: (m) => console.log(m.type, m.id, m.status ?? m.error) });
 * await session.done;
 */
import { request } from 'undici';

export interface ListenOptions {
  /** The hub's base URL (`PATCHBAY_URL`). */
  url: string;
  apiKey: string;
  /** Where each message is POSTed, e.g. http://localhost:3000/hooks. */
  forwardTo: string;
  eventTypes?: string[] | undefined;
  channels?: string[] | undefined;
  /** Shown in the hub's endpoint list while listening. */
  label?: string | undefined;
  /** Ends the stream. */
  signal?: AbortSignal | undefined;
  /** Per forwarded request; 10 s by default. */
  forwardTimeoutMs?: number | undefined;
  onReady?: ((ready: ListenReady) => void) | undefined;
  onForward?: ((result: ForwardResult) => void) | undefined;
}

export interface ListenReady {
  /** The temporary endpoint the hub made for this session (gone when it ends). */
  endpointId: string;
  /** The `whsec_` secret forwarded messages are signed with: give it to the local verifier. */
  secret: string;
}

export interface ForwardResult {
  id: string;
  type: string;
  /** The local server's status, or null when it could not be reached. */
  status: number | null;
  durationMs: number;
  error?: string | undefined;
}

export interface ListenSession extends ListenReady {
  /** Resolves when the stream ends (closed by either side); rejects if it breaks. */
  done: Promise<void>;
  close(): void;
}

interface StreamMessage {
  id: string;
  type: string;
  headers: Record<string, string>;
  body: string;
}

export class ListenError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

/** Splits a server-sent-events text stream into events (`event`, `data`); comments are dropped. */
export async function* parseEventStream(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<{ event: string; data: string }> {
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

async function forward(message: StreamMessage, options: ListenOptions): Promise<ForwardResult> {
  const started = performance.now();
  try {
    const response = await request(options.forwardTo, {
      method: 'POST',
      headers: message.headers,
      body: message.body,
      signal: AbortSignal.timeout(options.forwardTimeoutMs ?? 10_000),
    });
    await response.body.dump();
    return { id: message.id, type: message.type, status: response.statusCode, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { id: message.id, type: message.type, status: null, durationMs: Math.round(performance.now() - started), error: (err as Error).message };
  }
}

/** Opens the stream; resolves once the hub said it is ready. */
export async function listen(options: ListenOptions): Promise<ListenSession> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const query = new URLSearchParams();
  if (options.eventTypes?.length) query.set('eventTypes', options.eventTypes.join(','));
  if (options.channels?.length) query.set('channels', options.channels.join(','));
  if (options.label) query.set('label', options.label);
  const response = await request(`${options.url.replace(/\/$/, '')}/api/v1/listen?${query}`, {
    method: 'GET',
    headers: { authorization: `Bearer ${options.apiKey}`, accept: 'text/event-stream' },
    signal: controller.signal,
    bodyTimeout: 0,
  });
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    let detail = text;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
    } catch {
      // not problem+json: show the text
    }
    throw new ListenError(`The hub refused to stream (${response.statusCode}): ${detail}`, response.statusCode);
  }

  const events = parseEventStream(response.body as AsyncIterable<Buffer>);
  const first = await events.next();
  if (first.done || first.value.event !== 'ready') throw new ListenError('The hub closed the stream before it was ready.', null);
  const ready = JSON.parse(first.value.data) as ListenReady;
  options.onReady?.(ready);

  const done = (async () => {
    try {
      for await (const { event, data } of events) {
        if (event !== 'message') continue;
        const result = await forward(JSON.parse(data) as StreamMessage, options);
        options.onForward?.(result);
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  return { ...ready, done, close: () => controller.abort() };
}
