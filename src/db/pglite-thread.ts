/**
 * PGlite in a worker thread. PGlite runs PostgreSQL as WebAssembly, synchronously: on the hub's
 * thread each statement stalls the event loop for as long as it runs (100–440 ms stalls were
 * measured under inbound load, and the database took 36 % of the PGlite hub's CPU on the thread
 * that also parses requests). Here the worker (pglite-worker.mjs) owns the instance — opened with
 * the same options and file system — and the hub's thread keeps a small client with exactly the
 * part of PGlite's interface Patchbay uses: `query` (what Drizzle calls, with its row mode and
 * parsers), `exec`, `transaction` (its statements run inside the worker's open transaction),
 * `listen`/`unlisten`, `dumpDataDir` and `close`. Parameters and rows cross by structured clone;
 * bytea results are moved, not copied. The data directory's lock stays on the hub's thread.
 *
 * Functions cannot cross: the serializers are set up in the worker, and the parsers a caller
 * passes (Drizzle's keep dates as text) run here, on the worker's raw text for those types.
 * An error keeps the fields callers look at (code, detail, constraint, …). A worker that dies
 * fails every pending call and every later one; none waits for ever.
 */
import { Worker } from 'node:worker_threads';
import type { PGlite, QueryOptions, Results, Transaction } from '@electric-sql/pglite';

interface WorkerError {
  name?: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WorkerError };
type Notice = { notify: string; payload: string };
type Ready = { ready: true } | { ready: false; error: WorkerError };

/** An error from the worker, as the caller would have had it on its own thread. */
function rebuild(error: WorkerError): Error {
  const err = Object.assign(new Error(error.message), error.fields);
  if (error.name) err.name = error.name;
  if (error.stack) err.stack = `${err.stack}\n    at the embedded database's thread: ${error.stack.split('\n').slice(1, 4).join('\n')}`;
  return err;
}

type Parsers = NonNullable<QueryOptions['parsers']>;

/** Applies the caller's parsers to the raw values of their types (null stays null, as PGlite does). */
function parse(result: Results<unknown>, parsers: Parsers): void {
  const columns: [number | string, (value: string, typeId: number) => unknown, number][] = [];
  (result.fields ?? []).forEach((field, i) => {
    const parser = parsers[field.dataTypeID];
    if (parser) columns.push([i, parser, field.dataTypeID]);
  });
  if (columns.length === 0) return;
  const arrays = Array.isArray(result.rows[0]);
  if (!arrays) for (const column of columns) column[0] = result.fields[column[0] as number]!.name;
  for (const row of result.rows as Record<number | string, unknown>[]) {
    for (const [key, parser, typeId] of columns) {
      const value = row[key];
      if (value !== null && value !== undefined) row[key] = parser(value as string, typeId);
    }
  }
}

type Call = Record<string, unknown> & { op: string };

/** The hub's side of the worker: what Drizzle and Patchbay call on a PGlite. */
export class PgliteThread {
  readonly waitReady: Promise<void>;
  // Not `#private`: a test ends it to see what a crash does.
  private readonly worker: Worker;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  #nextId = 1;
  #dead: Error | undefined;
  #closed = false;
  #handlers = new Map<string, Set<(payload: string) => void>>();

  /** `onFailure` hears of a thread that stopped without being closed (every call fails from then on). */
  constructor(dir: string, options: { postgresqlconf: string[]; loadDataDir?: Uint8Array | undefined; onFailure?: (err: Error) => void }) {
    this.worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: { dir, postgresqlconf: options.postgresqlconf, dump: options.loadDataDir } });
    const stopped = (err: Error) => {
      const first = !this.#dead;
      this.#fail(err);
      if (first && !this.#closed) options.onFailure?.(err);
    };
    this.worker.on('error', (err) => stopped(new Error(`the embedded database's thread failed: ${err.message}`, { cause: err })));
    this.worker.on('exit', (code) => stopped(new Error(`the embedded database's thread exited (code ${code})`)));
    this.waitReady = new Promise<void>((resolve, reject) => {
      const onReady = (message: Ready | Reply | Notice) => {
        if (!('ready' in message)) return;
        this.worker.off('message', onReady);
        if (!message.ready) return reject(rebuild(message.error));
        if (this.#pending.size === 0) this.worker.unref();
        resolve();
      };
      this.worker.on('message', onReady);
      this.worker.once('exit', () => reject(this.#dead));
    });
    this.worker.on('message', (message: Ready | Reply | Notice) => this.#receive(message));
  }

  get closed(): boolean {
    return this.#closed;
  }

  #receive(message: Ready | Reply | Notice): void {
    if ('notify' in message) {
      for (const handler of this.#handlers.get(message.notify) ?? []) handler(message.payload);
      return;
    }
    if (!('id' in message)) return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) this.worker.unref();
    if (message.ok) pending.resolve(message.value);
    else pending.reject(rebuild(message.error));
  }

  #fail(err: Error): void {
    this.#dead ??= err;
    for (const pending of this.#pending.values()) pending.reject(this.#dead);
    this.#pending.clear();
  }

  /** Posts one call. While calls are pending the worker keeps the process alive, as a statement on the hub's thread would. */
  #call<T>(message: Call): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id });
    });
  }

  async #query<T>(tx: number | undefined, sql: string, params: unknown[] | undefined, options: QueryOptions | undefined): Promise<Results<T>> {
    const parsers = options?.parsers;
    const raw = parsers ? Object.keys(parsers).map(Number) : undefined;
    const result = await this.#call<Results<T>>({ op: 'query', tx, sql, params, rowMode: options?.rowMode, raw });
    if (parsers) parse(result as Results<unknown>, parsers);
    return result;
  }

  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    return this.#query<T>(undefined, sql, params, options);
  }

  exec(sql: string): Promise<Results[]> {
    return this.#call<Results[]>({ op: 'exec', sql });
  }

  /** Runs `callback` in a transaction held open in the worker: committed when it returns, rolled back when it throws. */
  async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    const id = await this.#call<number>({ op: 'begin' });
    // What Drizzle's session calls on a transaction (statements only; it rolls back by throwing).
    const tx = {
      query: <R>(sql: string, params?: unknown[], options?: QueryOptions) => this.#query<R>(id, sql, params, options),
      exec: (sql: string) => this.#call<Results[]>({ op: 'exec', tx: id, sql }),
    } as unknown as Transaction;
    let result: T;
    try {
      result = await callback(tx);
    } catch (err) {
      await this.#call({ op: 'end', tx: id, commit: false }).catch(() => undefined);
      throw err;
    }
    await this.#call({ op: 'end', tx: id, commit: true });
    return result;
  }

  async listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      this.#handlers.set(channel, (handlers = new Set()));
      try {
        await this.#call({ op: 'listen', channel });
      } catch (err) {
        this.#handlers.delete(channel);
        throw err;
      }
    }
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.#handlers.get(channel) !== handlers) return;
      this.#handlers.delete(channel);
      await this.#call({ op: 'unlisten', channel });
    };
  }

  async dumpDataDir(compression?: 'gzip' | 'none' | 'auto'): Promise<Blob> {
    return new Blob([await this.#call<ArrayBuffer>({ op: 'dump', compression })]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (!this.#dead) await this.#call({ op: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }
}

/** The client as Drizzle and the rest of Patchbay see it (they only use the part above). */
export const asPglite = (thread: PgliteThread): PGlite => thread as unknown as PGlite;
