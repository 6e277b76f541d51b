/**
 * Notification channels of an environment: settings checked by the channel type, every URL it
 * will call passed through the SSRF guard, secrets sealed in the vault (owner `alertChannel`),
 * never shown again — the API shows which secret fields are set.
 */
import { and, desc, eq, lt } from 'drizzle-orm';
import { assertPublicUrl, newId, problems, SsrfError, type FieldError } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { findEnvironment } from '../auth/index.ts';
import type { Vault } from '../credentials/index.ts';
import { CHANNEL_TYPES, SENDERS } from './channels/index.ts';
import { notificationChannels, type ChannelType } from './schema.ts';
import type { RuleScope } from './rules.ts';

export type Channel = typeof notificationChannels.$inferSelect;

export const channelSecretAddress = (id: string) => ({ ownerType: 'alertChannel' as const, ownerId: id, name: 'settings' });

export interface ChannelInput {
  name?: string | undefined;
  type?: ChannelType | undefined;
  config?: Record<string, unknown> | undefined;
  enabled?: boolean | undefined;
}

async function check(db: Db, scope: RuleScope, type: ChannelType, config: Record<string, unknown>, secrets: Record<string, string>): Promise<void> {
  const sender = SENDERS[type];
  const errors: FieldError[] = Object.keys(secrets)
    .filter((k) => !sender.secretFields.includes(k))
    .map((k) => ({ field: `/secrets/${k}`, message: `is not a secret of a ${type} channel (known: ${sender.secretFields.join(', ')})` }));
  errors.push(...sender.validate(config, secrets));
  if (errors.length > 0) throw problems.validation(errors);
  const environment = await findEnvironment(db, scope.organizationId, scope.environmentId);
  for (const url of sender.urls(config, secrets)) {
    try {
      await assertPublicUrl(url, { allowPrivateNetworks: environment?.allowPrivateNetworks ?? false });
    } catch (err) {
      if (err instanceof SsrfError) throw problems.unprocessable(`The ${type} channel cannot call ${err.target}: ${err.message}`);
      throw err;
    }
  }
}

export async function createChannel(tx: Db, vault: Vault, scope: RuleScope, input: ChannelInput & { name: string; type: ChannelType; secrets?: Record<string, string> | undefined }, now: Date): Promise<Channel> {
  if (!CHANNEL_TYPES.includes(input.type)) throw problems.validation([{ field: '/type', message: `must be one of ${CHANNEL_TYPES.join(', ')}` }]);
  const config = input.config ?? {};
  const secrets = input.secrets ?? {};
  await check(tx, scope, input.type, config, secrets);
  const id = newId('nch');
  const [row] = await tx
    .insert(notificationChannels)
    .values({ id, ...scope, name: input.name, type: input.type, config, enabled: input.enabled ?? true, createdAt: now, updatedAt: now })
    .returning();
  await vault.seal(tx, { ...scope, ...channelSecretAddress(id), value: secrets });
  return row!;
}

export async function getChannel(db: Db, scope: RuleScope, id: string): Promise<Channel> {
  const [row] = await db
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.organizationId, scope.organizationId), eq(notificationChannels.environmentId, scope.environmentId), eq(notificationChannels.id, id)));
  if (!row) throw problems.notFound('Notification channel', id);
  return row;
}

export async function channelSecrets(db: Db, vault: Vault, scope: RuleScope, id: string): Promise<Record<string, string>> {
  return vault.open<Record<string, string>>(db, scope, channelSecretAddress(id));
}

/** Changes settings; given secrets replace the stored ones field by field (null removes one). */
export async function updateChannel(tx: Db, vault: Vault, scope: RuleScope, id: string, input: ChannelInput & { secrets?: Record<string, string | null> | undefined }, now: Date): Promise<Channel> {
  const current = await getChannel(tx, scope, id);
  const config = input.config ?? current.config;
  let secrets = await channelSecrets(tx, vault, scope, id);
  if (input.secrets) {
    secrets = { ...secrets };
    for (const [k, v] of Object.entries(input.secrets)) {
      if (v === null) delete secrets[k];
      else secrets[k] = v;
    }
  }
  await check(tx, scope, current.type, config, secrets);
  if (input.secrets) await vault.replace(tx, scope, channelSecretAddress(id), secrets);
  const [row] = await tx
    .update(notificationChannels)
    .set({ ...(input.name ? { name: input.name } : {}), config, ...(input.enabled === undefined ? {} : { enabled: input.enabled }), updatedAt: now })
    .where(eq(notificationChannels.id, id))
    .returning();
  return row!;
}

export async function deleteChannel(tx: Db, vault: Vault, scope: RuleScope, id: string): Promise<void> {
  await getChannel(tx, scope, id);
  await vault.remove(tx, scope, { ownerType: 'alertChannel', ownerId: id });
  await tx.delete(notificationChannels).where(eq(notificationChannels.id, id));
}

export async function listChannels(db: Db, scope: RuleScope, page: { limit: number; before?: string | undefined }): Promise<Channel[]> {
  return db
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.organizationId, scope.organizationId), eq(notificationChannels.environmentId, scope.environmentId), page.before ? lt(notificationChannels.id, page.before) : undefined))
    .orderBy(desc(notificationChannels.id))
    .limit(page.limit);
}

/** Which secret fields a channel has (their values never leave the vault through the API). */
export async function secretFieldsSet(db: Db, vault: Vault, scope: RuleScope, id: string): Promise<string[]> {
  return Object.keys(await channelSecrets(db, vault, scope, id)).sort();
}

/** Records how sending went on the channel itself, so a failing channel shows it. */
export async function recordChannelOutcome(db: Db, id: string, now: Date, error?: string): Promise<void> {
  if (error === undefined) {
    await db.update(notificationChannels).set({ lastSuccessAt: now, failingSince: null, updatedAt: now }).where(eq(notificationChannels.id, id));
    return;
  }
  const [current] = await db.select({ failingSince: notificationChannels.failingSince }).from(notificationChannels).where(eq(notificationChannels.id, id));
  await db
    .update(notificationChannels)
    .set({ lastError: error, lastErrorAt: now, failingSince: current?.failingSince ?? now, updatedAt: now })
    .where(eq(notificationChannels.id, id));
}
