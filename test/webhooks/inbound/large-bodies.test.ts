/**
 * Large inbound bodies are read a bounded number at a time (PATCHBAY_MAX_LARGE_INBOUND_BODIES),
 * and stored byte for byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../../src/db/index.ts';
import { newId } from '../../../src/core/index.ts';
import { storeBatch, type PendingEvent } from '../../../src/webhooks/inbound/store.ts';
import { inboundEvents, readBody } from '../../../src/webhooks/inbound/index.ts';
import { startInboundHub, type InboundHub } from './support.ts';

let t: InboundHub;
let sourceId: string;
beforeAll(async () => {
  t = await startInboundHub({ env: { PATCHBAY_MAX_LARGE_INBOUND_BODIES: '1' } });
  ({ id: sourceId } = await t.createSource({ name: 'Large', secret: 'k-123', verification: { type: 'header', header: 'X-Api-Key' } }));
});
afterAll(async () => {
  await t?.close();
});

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The body as stored: in the row, or in its large object (embedded database, body-objects.ts). */
async function storedBody(id: string): Promise<Buffer> {
  const [row] = await t.database.db.select().from(inboundEvents).where(eq(inboundEvents.id, id));
  return readBody(t.database.db, row!);
}

function post(body: Buffer) {
  return request(`${t.url}/webhooks/in/${sourceId}`, { method: 'POST', headers: { 'x-api-key': 'k-123', 'content-type': 'application/octet-stream' }, body });
}

/** Starts a delivery over a raw socket and sends only the first part of its body. */
function halfSent(body: Buffer): { socket: net.Socket; finish(): Promise<string> } {
  const { hostname, port } = new URL(t.url);
  const socket = net.connect(Number(port), hostname);
  socket.write(`POST /webhooks/in/${sourceId} HTTP/1.1\r\nHost: ${hostname}\r\nX-Api-Key: k-123\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
  socket.write(body.subarray(0, body.length / 2));
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    async finish() {
      socket.write(body.subarray(body.length / 2));
      await closed;
      return answer;
    },
  };
}

describe('large inbound bodies', () => {
  it('reads one large body at a time when the limit is 1, keeping the next sender waiting, never a small one', async () => {
    // First bytes that do not open like JSON: random nesting would be refused as too deep.
    const first = Buffer.concat([Buffer.from([0xff]), randomBytes(2 * 1024 * 1024 - 1)]);
    const second = Buffer.concat([Buffer.from([0xff]), randomBytes(3 * 1024 * 1024 - 1)]);
    const holder = halfSent(first);
    await new Promise((r) => setTimeout(r, 300));

    let secondAnswered = false;
    const waiting = post(second).then(async (res) => {
      secondAnswered = true;
      return { status: res.statusCode, body: (await res.body.json()) as { id: string } };
    });
    // A small body never waits for a slot.
    const small = await post(Buffer.from('{"small":true}'));
    expect(small.statusCode).toBe(200);
    await small.body.dump();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(secondAnswered).toBe(false);

    const answer = await holder.finish();
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const firstId = /"id":"(inb_[^"]+)"/.exec(answer)![1]!;
    const late = await waiting;
    expect(late.status).toBe(200);

    // Both stored byte for byte (binary, not text).
    expect(sha(await storedBody(firstId))).toBe(sha(first));
    expect(sha(await storedBody(late.body.id))).toBe(sha(second));
  }, 60_000);

  it('stores a batch that mixes small bodies with several large ones, each byte for byte in its own row', async () => {
    const [source] = await rows<{ organization_id: string; environment_id: string }>(t.database.db, sql`select organization_id, environment_id from inbound_sources where id = ${sourceId}`);
    // Small ones ride inside the batch's JSON parameter; those over 64 KiB travel as their own binary
    // parameters, or (embedded database) those over 256 KiB go into large objects.
    const bodies = [randomBytes(10), randomBytes(200 * 1024), Buffer.alloc(0), randomBytes(65 * 1024), randomBytes(64 * 1024), randomBytes(1024 * 1024)];
    const now = new Date();
    const items: PendingEvent[] = bodies.map((body) => ({
      row: {
        id: newId('inb'),
        organizationId: source!.organization_id,
        environmentId: source!.environment_id,
        sourceId,
        status: 'received',
        method: 'POST',
        path: `/webhooks/in/${sourceId}`,
        query: '',
        headers: {},
        body,
        receivedAt: now,
        updatedAt: now,
      },
    }));
    const stored = await storeBatch(t.database.db, items, now, { bodyObjects: t.database.kind === 'pglite' });
    expect(stored.map((s) => s.status)).toEqual(bodies.map(() => 'received'));
    for (const [i, item] of items.entries()) expect(sha(await storedBody(item.row.id)), `body ${i}`).toBe(sha(bodies[i]!));
  }, 60_000);
});
