/** Endpoint signing keys live in the credential vault: encrypted at rest, re-wrapped by master-key rotation. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { rows } from '../../../src/db/index.ts';
import { createVault, rotateMasterKey } from '../../../src/credentials/index.ts';
import { revealSecret } from '../../../src/webhooks/outbound/index.ts';
import { devScope, endpoint, eventType, masterKey, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

let h: OutboundHarness;
let receiver: Receiver;
// The hub runs with the next key configured (after the current one) before rotation starts, as
// rotation requires of every process.
const k2 = masterKey('k2');
beforeAll(async () => {
  h = await outboundHarness({ keys: [masterKey('k1'), k2] });
  receiver = await startReceiver();
  await eventType(h, 'order.created');
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

/** Every text and bytea value of the tables that could hold a secret, as one string. */
async function everythingStored(): Promise<string> {
  const tables = ['outbound_endpoints', 'outbound_endpoint_state', 'secrets', 'audit_log', 'jobs'];
  const dumps = await Promise.all(tables.map((t) => rows<{ row: string }>(h.api.database.db, sql.raw(`select (t.*)::text as row from ${t} t`))));
  return dumps.flat().map((r) => r.row).join('\n');
}

it('keeps endpoint secrets only encrypted, in the vault', async () => {
  const v1 = await endpoint(h, { url: `${receiver.url}/a` });
  const v1a = await endpoint(h, { url: `${receiver.url}/b`, signatureType: 'v1a' });
  const chosen = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const mine = await endpoint(h, { url: `${receiver.url}/c`, secret: chosen });
  const stored = await everythingStored();
  const secret = (await h.get(`/api/v1/endpoints/${v1}/secret`)).body.secret as string;
  expect(secret).toMatch(/^whsec_/);
  expect(stored).not.toContain(secret.slice('whsec_'.length));
  expect(stored).not.toContain(chosen.slice('whsec_'.length));
  expect(stored).not.toContain('whsk_');
  const vaulted = await rows<{ owner_id: string; name: string; master_key_id: string }>(h.api.database.db, sql`select owner_id, name, master_key_id from secrets where owner_type = 'endpoint' order by owner_id`);
  expect(vaulted).toEqual([v1, v1a, mine].sort().map((id) => ({ owner_id: id, name: 'signingKeys', master_key_id: 'k1' })));
  expect((await h.get(`/api/v1/endpoints/${mine}/secret`)).body.secret).toBe(chosen);
});

it('is re-wrapped by master-key rotation, and deliveries keep verifying with the same secret', async () => {
  const ep = await endpoint(h, { url: `${receiver.url}/rotated`, eventTypes: ['order.created'] });
  const before = await revealSecret(h.api.database.db, h.vault, devScope(h), ep);
  const report = await rotateMasterKey(h.api.database.db, createVault({ keys: [k2, h.masterKey] }));
  expect(report.remaining).toBe(0);
  expect(report.keysInUse).toEqual({ k2: report.rewrapped });
  expect(report.rewrapped).toBeGreaterThanOrEqual(4);

  // Only the new key is needed now, and the secret itself did not change.
  const onlyNew = createVault({ keys: [k2] });
  expect(await revealSecret(h.api.database.db, onlyNew, devScope(h), ep)).toEqual(before);
  await expect(revealSecret(h.api.database.db, createVault({ keys: [h.masterKey] }), devScope(h), ep)).rejects.toThrow(/k2/);

  await publishEvent(h, { type: 'order.created', data: { after: 'rotation' } });
  await waitFor(() => receiver.requests.some((r) => r.url === '/rotated'));
  const request = receiver.requests.find((r) => r.url === '/rotated')!;
  expect(new Webhook(before.secret!).verify(request.body, request.headers as Record<string, string>)).toMatchObject({ data: { after: 'rotation' } });
});

it('removes the secret with its endpoint', async () => {
  const ep = await endpoint(h, { url: `${receiver.url}/gone` });
  expect((await h.del(`/api/v1/endpoints/${ep}`)).status).toBe(200);
  expect(await rows(h.api.database.db, sql`select id from secrets where owner_id = ${ep}`)).toEqual([]);
});
