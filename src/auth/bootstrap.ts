import type { Db } from '../db/index.ts';
import { randomToken } from '../core/index.ts';
import { createApiKey } from './api-keys.ts';
import { recordAudit } from './audit.ts';
import { createOrganization, getOrganizationBySlug, type Environment, type Organization } from './organizations.ts';
import { addMember, createUser, findUserByEmail } from './users.ts';

export interface BootstrapInput {
  organizationName: string;
  organizationSlug: string;
  environments: readonly string[];
  ownerEmail: string;
  ownerName: string;
  /** Generated when absent. */
  ownerPassword?: string | undefined;
  /** The environment that gets the first admin key. */
  keyEnvironment: string;
  allowPrivateNetworksIn?: readonly string[];
}

export interface BootstrapResult {
  organization: Organization;
  environments: Environment[];
  ownerEmail: string;
  ownerPassword: string;
  apiKey: string;
  apiKeyEnvironment: string;
}

/**
 * Creates the first organization, its environments, an owner and an admin API key, in one
 * transaction. Returns undefined when the organization already exists (idempotent seeding).
 */
export async function bootstrapOrganization(db: Db, input: BootstrapInput): Promise<BootstrapResult | undefined> {
  return db.transaction(async (tx) => {
    if (await getOrganizationBySlug(tx, input.organizationSlug)) return undefined;
    const { organization, environments } = await createOrganization(tx, {
      name: input.organizationName,
      slug: input.organizationSlug,
      environments: input.environments,
      allowPrivateNetworksIn: input.allowPrivateNetworksIn ?? [],
    });
    const password = input.ownerPassword ?? randomToken(12);
    const user = (await findUserByEmail(tx, input.ownerEmail)) ?? (await createUser(tx, { email: input.ownerEmail, name: input.ownerName, password }));
    await addMember(tx, organization.id, user.id, 'owner');
    const env = environments.find((e) => e.name === input.keyEnvironment) ?? environments[0]!;
    const { key, record } = await createApiKey(tx, {
      organizationId: organization.id,
      environmentId: env.id,
      name: 'bootstrap admin key',
      role: 'admin',
      createdBy: 'cli',
    });
    await recordAudit(tx, {
      organizationId: organization.id,
      actor: { type: 'cli', id: null },
      action: 'organization.bootstrapped',
      targetType: 'organization',
      targetId: organization.id,
      details: { environments: environments.map((e) => e.name), owner: user.id, apiKeyId: record.id },
    });
    return { organization, environments, ownerEmail: user.email, ownerPassword: password, apiKey: key, apiKeyEnvironment: env.name };
  });
}
