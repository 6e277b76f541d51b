import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ManualClock } from '../../src/core/index.ts';
import { rows } from '../../src/db/index.ts';
import {
  createVault,
  MasterKeyNotConfiguredError,
  SecretConflictError,
  SecretDecryptionError,
  SecretNotFoundError,
  type SecretScope,
  type Vault,
} from '../../src/credentials/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createScope, masterKey } from './support.ts';

const DAY = 86_400_000;

describe('credential vault', () => {
  let database: TestDatabase;
  let scope: SecretScope;
  let vault: Vault;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const k1 = masterKey('k1');

  beforeAll(async () => {
    database = await createTestDatabase();
    scope = await createScope(database.db);
    vault = createVault({ keys: [k1], clock });
  });
  afterAll(async () => {
    await database.drop();
  });

  const owner = (ownerId: string, name = 'apiKey') => ({ ...scope, ownerType: 'connection' as const, ownerId, name });
  const seal = (ownerId: string, value: string | object, name = 'apiKey') =>
    database.db.transaction((tx) => vault.seal(tx, { ...owner(ownerId, name), value }));

  it('seals a string and an object and opens them again, by id or by owner and name', async () => {
    const id = await seal('conn_a', 'sk_live_abc');
    const tokens = { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: '2026-01-01T01:00:00Z' };
    await seal('conn_a', tokens, 'oauthTokens');
    expect(id).toMatch(/^sec_/);
    expect(await vault.open(database.db, scope, id)).toBe('sk_live_abc');
    expect(await vault.open(database.db, scope, owner('conn_a', 'oauthTokens'))).toEqual(tokens);
  });

  it('never stores the secret, its base64 or its hex in the database', async () => {
    const secret = 'pb-plaintext-canary-7f3a9c1e';
    const id = await seal('conn_canary', { apiKey: secret });
    const [raw] = await rows<{ json: string; escaped: string }>(
      database.db,
      sql`select row_to_json(s)::text as json,
                 encode(ciphertext, 'escape') || encode(wrapped_key, 'escape') || encode(iv, 'escape') || encode(auth_tag, 'escape') as escaped
          from secrets s where id = ${id}`,
    );
    const everything = `${raw!.json}\n${raw!.escaped}`;
    const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex')];
    for (const form of forms) {
      expect(everything.toLowerCase()).not.toContain(form.toLowerCase());
      // A shifted base64 alignment still shares a long run with the plain base64; check a 12-char core.
      expect(everything).not.toContain(form.slice(4, 16));
    }
    // Nor the master key, in any form.
    for (const form of [k1.key.toString('hex'), k1.key.toString('base64')]) expect(everything).not.toContain(form);
    expect(raw!.json).toContain('"master_key_id":"k1"');
  });

  it('refuses to open a ciphertext copied into another row', async () => {
    const source = await seal('conn_src', 'the-source-secret');
    const target = await seal('conn_dst', 'the-target-secret');
    // A copy of the whole row under a new id…
    await database.db.execute(sql`
      insert into secrets select 'sec_copy', organization_id, environment_id, owner_type, owner_id, 'copied', version, format,
        ciphertext, iv, auth_tag, wrapped_key, master_key_id, key_wrapped_at, rotation_owner, rotated_at, rotate_every_days, created_at, updated_at
      from secrets where id = ${source}`);
    await expect(vault.open(database.db, scope, 'sec_copy')).rejects.toBeInstanceOf(SecretDecryptionError);
    // …and the ciphertext columns pasted over another connection's row.
    await database.db.execute(sql`
      update secrets t set ciphertext = s.ciphertext, iv = s.iv, auth_tag = s.auth_tag, wrapped_key = s.wrapped_key
      from secrets s where s.id = ${source} and t.id = ${target}`);
    const err = await vault.open(database.db, scope, target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretDecryptionError);
    expect((err as Error).message).not.toContain('the-source-secret');
    // The source itself still opens.
    expect(await vault.open(database.db, scope, source)).toBe('the-source-secret');
  });

  it('refuses to open a row moved to another owner', async () => {
    const id = await seal('conn_owner', 'owned');
    await database.db.execute(sql`update secrets set owner_id = 'conn_thief' where id = ${id}`);
    await expect(vault.open(database.db, scope, id)).rejects.toBeInstanceOf(SecretDecryptionError);
  });

  it('replaces a value with a new version, and refuses the old ciphertext put back', async () => {
    const id = await seal('conn_replace', 'v1-secret');
    const [old] = await rows<{ ciphertext: string; iv: string; auth_tag: string; wrapped_key: string }>(
      database.db,
      sql`select encode(ciphertext, 'hex') as ciphertext, encode(iv, 'hex') as iv, encode(auth_tag, 'hex') as auth_tag, encode(wrapped_key, 'hex') as wrapped_key from secrets where id = ${id}`,
    );
    clock.advance(DAY);
    const info = await database.db.transaction((tx) => vault.replace(tx, scope, id, 'v2-secret'));
    expect(info.version).toBe(2);
    expect(info.rotation.rotatedAt).toEqual(clock.now());
    expect(await vault.open(database.db, scope, id)).toBe('v2-secret');
    await database.db.execute(sql`
      update secrets set ciphertext = decode(${old!.ciphertext}, 'hex'), iv = decode(${old!.iv}, 'hex'),
        auth_tag = decode(${old!.auth_tag}, 'hex'), wrapped_key = decode(${old!.wrapped_key}, 'hex') where id = ${id}`);
    await expect(vault.open(database.db, scope, id)).rejects.toBeInstanceOf(SecretDecryptionError);
  });

  it('finds a secret only in its own organization and environment', async () => {
    const id = await seal('conn_scoped', 'scoped');
    const other = await createScope(database.db);
    await expect(vault.open(database.db, other, id)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(vault.open(database.db, { ...scope, environmentId: other.environmentId }, id)).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it('refuses a second secret of the same name for one owner, leaving the transaction usable', async () => {
    await seal('conn_dup', 'first');
    await database.db.transaction(async (tx) => {
      await expect(vault.seal(tx, { ...owner('conn_dup'), value: 'second' })).rejects.toBeInstanceOf(SecretConflictError);
      await vault.seal(tx, { ...owner('conn_dup', 'clientSecret'), value: 'other' });
    });
    expect(await vault.open(database.db, scope, owner('conn_dup'))).toBe('first');
    expect(await vault.open(database.db, scope, owner('conn_dup', 'clientSecret'))).toBe('other');
  });

  it('removes one secret, or every secret of an owner', async () => {
    const one = await seal('conn_gone', 'a', 'apiKey');
    await seal('conn_gone', 'b', 'clientSecret');
    await seal('conn_gone', 'c', 'oauthTokens');
    expect(await database.db.transaction((tx) => vault.remove(tx, scope, one))).toBe(1);
    expect(await database.db.transaction((tx) => vault.remove(tx, scope, { ownerType: 'connection', ownerId: 'conn_gone' }))).toBe(2);
    expect(await vault.list(database.db, scope, { ownerType: 'connection', ownerId: 'conn_gone' })).toEqual([]);
  });

  it('names the master key when a row is under a key this process does not have', async () => {
    const id = await seal('conn_keyless', 'x');
    const other = createVault({ keys: [masterKey('k9')], clock });
    const err = await other.open(database.db, scope, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MasterKeyNotConfiguredError);
    expect((err as Error).message).toContain('"k1"');
    expect((err as Error).message).toContain(id);
  });

  it('flags a secret due a week before its rotation date and overdue after it, and lists the overdue ones', async () => {
    const start = clock.now();
    const id = await database.db.transaction((tx) =>
      vault.seal(tx, { ...owner('conn_rotating', 'clientSecret'), value: 's', rotation: { owner: 'team-payments', everyDays: 30 } }),
    );
    const status = async () => (await vault.describe(database.db, scope, id)).rotation;
    expect(await status()).toMatchObject({ owner: 'team-payments', everyDays: 30, due: false, overdue: false, dueAt: new Date(start.getTime() + 30 * DAY) });
    clock.advance(23 * DAY);
    expect(await status()).toMatchObject({ due: true, overdue: false });
    expect((await vault.listOverdue(database.db)).map((s) => s.id)).not.toContain(id);
    clock.advance(7 * DAY);
    expect(await status()).toMatchObject({ due: true, overdue: true });
    expect((await vault.listOverdue(database.db)).map((s) => s.id)).toContain(id);
    expect((await vault.listOverdue(database.db, scope)).map((s) => s.id)).toContain(id);
    expect(await vault.listOverdue(database.db, await createScope(database.db))).toEqual([]);
    // Replacing the value starts the period again.
    await database.db.transaction((tx) => vault.replace(tx, scope, id, 's2'));
    expect(await status()).toMatchObject({ due: false, overdue: false });
    // A policy can be changed or dropped.
    await database.db.transaction((tx) => vault.setRotationPolicy(tx, scope, id, { everyDays: null }));
    expect(await status()).toMatchObject({ dueAt: null, due: false, overdue: false, owner: 'team-payments' });
  });

  it('describes and lists secrets without their values', async () => {
    const id = await seal('conn_described', 'hidden-value');
    const info = await vault.describe(database.db, scope, id);
    expect(info).toMatchObject({ id, ownerType: 'connection', ownerId: 'conn_described', name: 'apiKey', version: 1, masterKeyId: 'k1' });
    expect(JSON.stringify(await vault.list(database.db, scope))).not.toContain('hidden-value');
  });
});
