import { and, asc, eq, or } from 'drizzle-orm';
import { newId } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { announceApiKeyChange } from './key-changes.ts';
import { environments, organizations } from './schema.ts';

export type Organization = typeof organizations.$inferSelect;
export type Environment = typeof environments.$inferSelect;

export const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function createOrganization(
  tx: Db,
  input: { name: string; slug: string; environments?: readonly string[]; allowPrivateNetworksIn?: readonly string[] },
): Promise<{ organization: Organization; environments: Environment[] }> {
  const [organization] = await tx.insert(organizations).values({ id: newId('org'), name: input.name, slug: input.slug }).returning();
  const envs: Environment[] = [];
  for (const name of input.environments ?? DEFAULT_ENVIRONMENTS) {
    envs.push(
      await createEnvironment(tx, organization!.id, {
        name,
        allowPrivateNetworks: input.allowPrivateNetworksIn?.includes(name) ?? false,
      }),
    );
  }
  return { organization: organization!, environments: envs };
}

export async function createEnvironment(
  tx: Db,
  organizationId: string,
  input: { name: string; allowPrivateNetworks?: boolean },
): Promise<Environment> {
  const [env] = await tx
    .insert(environments)
    .values({ id: newId('env'), organizationId, name: input.name, allowPrivateNetworks: input.allowPrivateNetworks ?? false })
    .returning();
  return env!;
}

export async function getOrganization(db: Db, id: string): Promise<Organization | undefined> {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, id));
  return org;
}

export async function getOrganizationBySlug(db: Db, slug: string): Promise<Organization | undefined> {
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, slug));
  return org;
}

export async function listEnvironments(db: Db, organizationId: string): Promise<Environment[]> {
  return db.select().from(environments).where(eq(environments.organizationId, organizationId)).orderBy(asc(environments.id));
}

/** Finds an environment of an organization by its name (`prod`) or id (`env_…`). */
export async function findEnvironment(db: Db, organizationId: string, nameOrId: string): Promise<Environment | undefined> {
  const [env] = await db
    .select()
    .from(environments)
    .where(and(eq(environments.organizationId, organizationId), or(eq(environments.name, nameOrId), eq(environments.id, nameOrId))));
  return env;
}

export async function updateEnvironment(
  tx: Db,
  organizationId: string,
  id: string,
  patch: { allowPrivateNetworks?: boolean | undefined; settings?: Record<string, unknown> | undefined },
): Promise<Environment | undefined> {
  const values: Partial<Environment> = {};
  if (patch.allowPrivateNetworks !== undefined) values.allowPrivateNetworks = patch.allowPrivateNetworks;
  if (patch.settings !== undefined) values.settings = patch.settings;
  if (Object.keys(values).length === 0) return findEnvironment(tx, organizationId, id);
  const [env] = await tx
    .update(environments)
    .set(values)
    .where(and(eq(environments.organizationId, organizationId), eq(environments.id, id)))
    .returning();
  return env;
}

/** Deletes an environment and everything in it; its API keys stop working at once in every API process. */
export async function deleteEnvironment(tx: Db, organizationId: string, id: string): Promise<boolean> {
  const deleted = await tx
    .delete(environments)
    .where(and(eq(environments.organizationId, organizationId), eq(environments.id, id)))
    .returning({ id: environments.id });
  if (deleted.length > 0) await announceApiKeyChange(tx, { environmentId: id });
  return deleted.length > 0;
}

/** Deletes an organization and everything it owns; its API keys stop working at once in every API process. */
export async function deleteOrganization(tx: Db, id: string): Promise<boolean> {
  const deleted = await tx.delete(organizations).where(eq(organizations.id, id)).returning({ id: organizations.id });
  if (deleted.length > 0) await announceApiKeyChange(tx, { organizationId: id });
  return deleted.length > 0;
}

export async function renameOrganization(tx: Db, id: string, name: string): Promise<Organization | undefined> {
  const [org] = await tx.update(organizations).set({ name }).where(eq(organizations.id, id)).returning();
  return org;
}
