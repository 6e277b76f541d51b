import { bootstrapOrganization, DEFAULT_ENVIRONMENTS, SLUG } from '../../auth/index.ts';
import { migrate } from '../../db/index.ts';
import { rotateMasterKey } from '../../credentials/index.ts';
import { OperationError, required, text, type Operation } from './index.ts';

const init: Operation = async ({ database }, args) => {
  const slug = required(args, 'org');
  if (!SLUG.test(slug)) throw new OperationError('--org must be a slug: lowercase letters, digits and dashes');
  const email = required(args, 'email');
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new OperationError('--email must be an email address');
  const environments = text(args, 'environments')?.split(',').map((e) => e.trim()).filter(Boolean) ?? [...DEFAULT_ENVIRONMENTS];
  const bad = environments.filter((e) => !SLUG.test(e));
  if (bad.length) throw new OperationError(`environment names must be slugs: ${bad.join(', ')}`);
  const keyEnvironment = environments.includes('prod') ? 'prod' : environments[0]!;
  const result = await bootstrapOrganization(database.db, {
    organizationName: text(args, 'name') ?? slug,
    organizationSlug: slug,
    environments,
    ownerEmail: email,
    ownerName: text(args, 'ownerName') ?? email.split('@')[0]!,
    ownerPassword: text(args, 'password'),
    keyEnvironment,
  });
  if (!result) throw new OperationError(`organization "${slug}" already exists; nothing changed`, 409);
  return {
    organizationId: result.organization.id,
    organization: result.organization.slug,
    environments: result.environments.map((e) => e.name),
    ownerEmail: result.ownerEmail,
    ownerPassword: result.ownerPassword,
    apiKey: result.apiKey,
    apiKeyEnvironment: result.apiKeyEnvironment,
  };
};

const runMigrations: Operation = async ({ database }) => migrate(database.db);

const rotate: Operation = async ({ database, vault, logger }, args) => {
  const batchSize = Number(args.batchSize ?? 100);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new OperationError('--batch-size must be a whole number from 1 to 10000');
  return rotateMasterKey(database.db, vault, { batchSize, logger });
};

export const adminOperations = { init, migrate: runMigrations, 'vault.rotate': rotate };
