import { randomBytes } from 'node:crypto';
import { newId, type MasterKey } from '../../src/core/index.ts';
import type { Db } from '../../src/db/index.ts';
import { organizations, environments } from '../../src/auth/schema.ts';
import type { SecretScope } from '../../src/credentials/index.ts';

export const masterKey = (id: string): MasterKey => ({ id, key: randomBytes(32) });

/** An organization with one environment: the scope every secret lives in. */
export async function createScope(db: Db, options: { allowPrivateNetworks?: boolean; settings?: Record<string, unknown> } = {}): Promise<SecretScope> {
  const organizationId = newId('org');
  const environmentId = newId('env');
  await db.insert(organizations).values({ id: organizationId, slug: organizationId, name: 'Acme' });
  await db.insert(environments).values({
    id: environmentId,
    organizationId,
    name: 'dev',
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    settings: options.settings ?? {},
  });
  return { organizationId, environmentId };
}
