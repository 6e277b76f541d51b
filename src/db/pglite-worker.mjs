/**
 * The embedded database's own thread (see pglite-thread.ts for why): owns the PGlite instance and
 * runs what the hub's thread posts, each message as its own task, so that PGlite's own locks
 * order them exactly as on one thread (a statement outside a transaction waits for the open one).
 * Plain JavaScript for the reason pglite-host.mjs gives.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPglite } from './pglite-host.mjs';

const { dir, postgresqlconf, dump } = workerData;
const BYTEA_OID = 17;

/** Open transactions: their PGlite `tx` and how to end them (commit, or roll back by throwing). */
const transactions = new Map();
let nextTx = 1;
/** One PGlite listener per channel; the hub's thread fans notifications out to its handlers. */
const listeners = new Map();
const ROLLBACK = Symbol('rollback');

/** The fields a PostgreSQL error carries (code, detail, constraint, …): plain values only, functions and options stay here. */
function errorOf(err) {
  if (!(err instanceof Error)) return { message: String(err), fields: {} };
  const fields = {};
  for (const [key, value] of Object.entries(err)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return { name: err.name, message: err.message, stack: err.stack, fields };
}

/** Raw text for the types the caller parses itself (its parsers are functions: they cannot cross). */
const rawParsers = new Map();
function parsersFor(raw) {
  if (!raw || raw.length === 0) return undefined;
  const key = raw.join(',');
  let parsers = rawParsers.get(key);
  if (!parsers) rawParsers.set(key, (parsers = Object.fromEntries(raw.map((oid) => [oid, (value) => value]))));
  return parsers;
}

/** bytea values own their buffers (PGlite decodes each into a new array): moved, not copied. */
function transferables(result) {
  if (!result.fields?.some((f) => f.dataTypeID === BYTEA_OID)) return [];
  const list = [];
  for (const row of result.rows) {
    for (const value of Array.isArray(row) ? row : Object.values(row)) {
      if (value instanceof Uint8Array && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && !list.includes(value.buffer)) list.push(value.buffer);
    }
  }
  return list;
}

const target = (pg, tx) => {
  if (tx === undefined) return pg;
  const open = transactions.get(tx);
  if (!open) throw new Error('the transaction has already ended');
  return open.tx;
};

async function handle(pg, message) {
  switch (message.op) {
    case 'query': {
      const result = await target(pg, message.tx).query(message.sql, message.params, { rowMode: message.rowMode, parsers: parsersFor(message.raw) });
      return { value: { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows }, transfer: transferables(result) };
    }
    case 'exec': {
      const results = await target(pg, message.tx).exec(message.sql);
      return { value: results.map((r) => ({ rows: r.rows, fields: r.fields, affectedRows: r.affectedRows })) };
    }
    case 'begin':
      return new Promise((began, failed) => {
        const id = nextTx++;
        pg.transaction(
          (tx) =>
            new Promise((commit, rollback) => {
              transactions.set(id, { tx, commit, rollback, done: undefined });
              began({ value: id });
            }),
        ).then(
          () => settle(id, undefined),
          (err) => settle(id, err),
        );
        // A BEGIN that fails never enters the callback.
        const settle = (txId, err) => {
          const open = transactions.get(txId);
          transactions.delete(txId);
          if (!open) failed(err ?? new Error('the transaction did not start'));
          else open.done?.(err === ROLLBACK ? undefined : err);
        };
      });
    case 'end': {
      const open = transactions.get(message.tx);
      if (!open) throw new Error('the transaction has already ended');
      const ended = new Promise((resolve) => (open.done = resolve));
      if (message.commit) open.commit();
      else open.rollback(ROLLBACK);
      const err = await ended;
      if (err) throw err;
      return { value: undefined };
    }
    case 'listen':
      if (!listeners.has(message.channel)) listeners.set(message.channel, await pg.listen(message.channel, (payload) => parentPort.postMessage({ notify: message.channel, payload })));
      return { value: undefined };
    case 'unlisten': {
      const unsubscribe = listeners.get(message.channel);
      listeners.delete(message.channel);
      await unsubscribe?.();
      return { value: undefined };
    }
    case 'dump': {
      const bytes = await (await pg.dumpDataDir(message.compression)).arrayBuffer();
      return { value: bytes, transfer: [bytes] };
    }
    case 'close':
      await pg.close();
      return { value: undefined };
    default:
      throw new Error(`unknown operation ${String(message.op)}`);
  }
}

try {
  const pg = await createPglite(dir, { postgresqlconf, loadDataDir: dump ? new Blob([dump]) : undefined });
  parentPort.on('message', (message) => {
    handle(pg, message).then(
      ({ value, transfer }) => parentPort.postMessage({ id: message.id, ok: true, value }, transfer ?? []),
      (err) => parentPort.postMessage({ id: message.id, ok: false, error: errorOf(err) }),
    );
  });
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ ready: false, error: errorOf(err) });
}
