import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  createVault,
  keyUsage,
  MasterKeyNotConfiguredError,
  rotateMasterKey,
  type SecretScope,
  type Vault,
} from '../../src/credentials/index.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db.ts';
import { createScope, masterKey } from './support.ts';
import type { Db } from '../../src/db/index.ts';

describe('master-key rotation', () => {
  let database: TestDatabase;
  let db: Db;
  let scope: SecretScope;
  const k0 = masterKey('k0');
  const k1 = masterKey('k1');
  const k2 = masterKey('k2');

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
  });
  afterAll(async () => {
    await database.drop();
  });

  // Each test gets its own organization, and rotation works on the whole table, so each test
  // starts from a table where every row is under k2 (or empty) and cleans up after itself.
  async function freshScope(): Promise<SecretScope> {
    await db.execute(sql`delete from secrets`);
    scope = await createScope(db);
    return scope;
  }

  async function sealMany(vault: Vault, count: number, prefix: string): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (let i = 0; i < count; i += 50) {
      await db.transaction(async (tx) => {
        for (let j = i; j < Math.min(count, i + 50); j++) {
          const value = `${prefix}-value-${j}`;
          const id = await vault.seal(tx, { ...scope, ownerType: 'connection', ownerId: `conn_${prefix}_${j}`, name: 'apiKey', value });
          values.set(id, value);
        }
      });
    }
    return values;
  }

  async function expectAllOpen(vault: Vault, values: Map<string, string>): Promise<void> {
    const wrong: string[] = [];
    for (const [id, value] of values) {
      if ((await vault.open(db, scope, id)) !== value) wrong.push(id);
    }
    expect(wrong).toEqual([]);
  }

  it('opens old-key rows before rotation, then re-wraps every one under the current key so the old key can go', async () => {
    await freshScope();
    const values = await sealMany(createVault({ keys: [k1] }), 250, 'a');
    const both = createVault({ keys: [k2, k1] });
    await expectAllOpen(both, values); // before rotation, under k1
    const progress: number[] = [];
    const report = await rotateMasterKey(db, both, { batchSize: 100, onProgress: (p) => progress.push(p.rewrapped) });
    expect(report).toMatchObject({ currentKeyId: 'k2', rewrapped: 250, fromKeys: { k1: 250 }, batches: 3, failed: [], remaining: 0, keysInUse: { k2: 250 } });
    expect(progress).toEqual([100, 200, 250]);
    await expectAllOpen(createVault({ keys: [k2] }), values);
    // Nothing left for a second run.
    expect((await rotateMasterKey(db, both)).rewrapped).toBe(0);
    // A process still on the old key alone cannot read them any more, and says why.
    const [firstId] = values.keys();
    await expect(createVault({ keys: [k1] }).open(db, scope, firstId!)).rejects.toThrow(/"k2"/);
  });

  it('refuses to start when some rows are under a key not configured, naming it, and changes nothing', async () => {
    await freshScope();
    await sealMany(createVault({ keys: [k0] }), 3, 'lost');
    await sealMany(createVault({ keys: [k1] }), 5, 'kept');
    const err = await rotateMasterKey(db, createVault({ keys: [k2, k1] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MasterKeyNotConfiguredError);
    expect((err as Error).message).toContain('"k0"');
    expect((err as Error).message).toContain('3 secrets are');
    expect(await keyUsage(db)).toEqual({ k0: 3, k1: 5 });
  });

  it('reports a row whose wrapped key was altered, and re-wraps all the others', async () => {
    await freshScope();
    const values = await sealMany(createVault({ keys: [k1] }), 20, 'tamper');
    const [broken] = values.keys();
    await db.execute(sql`update secrets set wrapped_key = overlay(wrapped_key placing '\\x00'::bytea from 20 for 1) where id = ${broken!}`);
    const report = await rotateMasterKey(db, createVault({ keys: [k2, k1] }), { batchSize: 7, lockedPasses: 0 });
    expect(report.failed).toEqual([broken]);
    expect(report.rewrapped).toBe(19);
    expect(report.remaining).toBe(0);
    expect(report.keysInUse).toEqual({ k1: 1, k2: 19 });
  });

  it('loses nothing under load: concurrent seal, open and replace while rotating', async () => {
    await freshScope();
    const latest = await sealMany(createVault({ keys: [k1] }), 300, 'load');
    const vault = createVault({ keys: [k2, k1] });
    const WORKERS = 4;
    let rotating = true;
    let opsDuringRotation = 0;
    const mismatches: string[] = [];

    // Each worker owns the ids it was dealt and the ones it seals, so what it reads back must be
    // exactly what it last wrote.
    const dealt = [...latest.keys()];
    const worker = async (w: number) => {
      const mine = dealt.filter((_, i) => i % WORKERS === w);
      for (let op = 0; rotating || op < 60; op++) {
        const id = mine[Math.floor(Math.random() * mine.length)]!;
        const roll = Math.random();
        if (roll < 0.4) {
          const value = `w${w}-op${op}-${Math.random().toString(36).slice(2)}`;
          await db.transaction((tx) => vault.replace(tx, scope, id, value));
          latest.set(id, value);
        } else if (roll < 0.55) {
          const value = `w${w}-new${op}`;
          const newId = await db.transaction((tx) =>
            vault.seal(tx, { ...scope, ownerType: 'endpoint', ownerId: `ep_${w}_${op}`, name: 'signingSecret', value }),
          );
          latest.set(newId, value);
          mine.push(newId);
        } else {
          const value = await vault.open(db, scope, id);
          if (value !== latest.get(id)) mismatches.push(id);
        }
        if (rotating) opsDuringRotation++;
      }
    };

    const rotation = rotateMasterKey(db, vault, { batchSize: 10, passDelayMs: 5 }).finally(() => {
      rotating = false;
    });
    const [report] = await Promise.all([rotation, ...Array.from({ length: WORKERS }, (_, w) => worker(w))]);

    expect(mismatches).toEqual([]);
    expect(opsDuringRotation).toBeGreaterThan(20);
    expect(report.failed).toEqual([]);
    expect(report.remaining).toBe(0);
    expect(await keyUsage(db)).toEqual({ k2: latest.size });
    await expectAllOpen(createVault({ keys: [k2] }), latest);
  });

  it.skipIf(!onPostgres())('skips a row another transaction holds, and re-wraps it on a later pass once released', async () => {
    await freshScope();
    const values = await sealMany(createVault({ keys: [k1] }), 10, 'locked');
    const [held] = values.keys();
    const vault = createVault({ keys: [k2, k1] });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.transaction(async (tx) => {
      await tx.execute(sql`select id from secrets where id = ${held!} for update`);
      locked();
      await released;
    });
    await isLocked;
    let firstPassDone = false;
    const rotation = rotateMasterKey(db, vault, { batchSize: 100, passDelayMs: 20, onProgress: () => (firstPassDone = true) });
    while (!firstPassDone) await new Promise((r) => setTimeout(r, 10));
    expect(await keyUsage(db)).toEqual({ k1: 1, k2: 9 }); // rotation went around the locked row
    release();
    await holder;
    const report = await rotation;
    expect(report).toMatchObject({ rewrapped: 10, remaining: 0, keysInUse: { k2: 10 } });
    expect(report.batches).toBeGreaterThanOrEqual(2);
    await expectAllOpen(createVault({ keys: [k2] }), values);
  });
});
