/**
 * Large bodies on the embedded database, kept in PostgreSQL large objects written and read a
 * chunk at a time.
 *
 * Why: PGlite runs PostgreSQL in a WebAssembly heap, and a WebAssembly heap never shrinks. A
 * 9.5 MiB body stored as one bytea went through that heap several times over (the Bind message,
 * datum copies, the TOAST compression buffer) and left it grown for good: 4.8–6.8× the body in the
 * hub's resident memory for one body (bench/inbound-memory.bench.ts). Written as a large object
 * in chunks, the heap only ever holds a chunk.
 *
 * The object is written in the transaction that inserts its row (a crash before the commit
 * leaves neither), and a trigger (migration 0008) unlinks it when the row is deleted, whatever
 * deletes it. PostgreSQL keeps bytea: large objects are not carried by logical replication, and
 * a server's memory is not the hub's.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import type { InboundEvent } from './schema.ts';

/** Bodies above this go into a large object (embedded database only). */
export const BODY_OBJECT_BYTES = 256 * 1024;
/** Written and read this much at a time. */
const CHUNK_BYTES = 256 * 1024;

const asBuffer = (value: Buffer | Uint8Array): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));

/** Writes `body` into a new large object, a chunk per statement; returns its oid. */
export async function writeBodyObject(tx: Db, body: Buffer): Promise<number> {
  const [created] = await rows<{ oid: number | string }>(tx, sql`select lo_from_bytea(0, ${body.subarray(0, CHUNK_BYTES)}::bytea) as oid`);
  const oid = Number(created!.oid);
  for (let offset = CHUNK_BYTES; offset < body.length; offset += CHUNK_BYTES) {
    await tx.execute(sql`select lo_put(${oid}::oid, ${offset}::bigint, ${body.subarray(offset, offset + CHUNK_BYTES)}::bytea)`);
  }
  return oid;
}

type Stored = Pick<InboundEvent, 'body' | 'bodyObject' | 'bodySize'>;

/** The body's length, without reading it. */
export const bodySizeOf = (event: Pick<InboundEvent, 'body' | 'bodySize'>): number => event.bodySize ?? event.body.length;

/** An event's body: the row's bytes, or its large object read a chunk per statement. */
export async function readBody(db: Db, event: Stored): Promise<Buffer> {
  if (event.bodyObject === null) return event.body;
  const size = bodySizeOf(event);
  const body = Buffer.allocUnsafe(size);
  for (let offset = 0; offset < size; offset += CHUNK_BYTES) {
    const [read] = await rows<{ chunk: Buffer | Uint8Array }>(db, sql`select lo_get(${event.bodyObject}::oid, ${offset}::bigint, ${Math.min(CHUNK_BYTES, size - offset)}) as chunk`);
    asBuffer(read!.chunk).copy(body, offset);
  }
  return body;
}

/** The event with its body read (see `readBody`). */
export async function withBody<E extends Stored>(db: Db, event: E): Promise<E> {
  return event.bodyObject === null ? event : { ...event, body: await readBody(db, event) };
}
