/**
 * `patchbay integrations list|show|create|update|delete`: connectors configured in an
 * environment. Bodies are the API's, checked with the route's own schemas; the domain functions
 * are the route's, and so is the view, so every way in answers alike.
 */
import type { Actor } from '../../auth/index.ts';
import { loadRegistry } from '../../connectors/index.ts';
import { createIntegration, deleteIntegration, integrations, listIntegrations, updateIntegration } from '../../integrations/index.ts';
import { CreateIntegrationBody, integrationOr404, UpdateIntegrationBody, view } from '../../api/routes/integrations.ts';
import { decodeCursor, page } from '../../api/pagination.ts';
import { bodyOf, limitOf, scopeOf, scopeOfRow, type EnvironmentScope } from './args.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

const CLI: Actor = { type: 'cli', id: null };

/** An integration is named by id (`int_…`, its environment found from it) or by key (with `--org/--env`). */
async function target(context: OperationContext, args: Record<string, unknown>): Promise<{ scope: EnvironmentScope; id: string }> {
  await loadRegistry();
  const id = required(args, 'id');
  if (!args.org && !args.env && !id.startsWith('int_')) throw new OperationError(`to name an integration by its key ("${id}"), give --org and --env`);
  const scope = await scopeOfRow(context, args, integrations, 'integration');
  return { scope, id: (await integrationOr404({ deps: context }, scope, id)).id };
}

const list: Operation = async (context, args) => {
  await loadRegistry();
  const scope = await scopeOf(context, args);
  const limit = limitOf(args, 250, 50);
  const rows = await listIntegrations(context.database.db, scope, { limit: limit + 1, before: decodeCursor(text(args, 'cursor')), connectorKey: text(args, 'connector') });
  const result = page(rows, limit, (i) => i.id);
  return { data: await Promise.all(result.data.map((i) => view({ deps: context }, scope, i))), nextCursor: result.nextCursor };
};

const show: Operation = async (context, args) => {
  const { scope, id } = await target(context, args);
  return view({ deps: context }, scope, await integrationOr404({ deps: context }, scope, id));
};

const create: Operation = async (context, args) => {
  const body = bodyOf<Parameters<typeof createIntegration>[3]>(args, CreateIntegrationBody);
  await loadRegistry();
  const scope = await scopeOf(context, args);
  const created = await createIntegration(context.database.db, context.vault, scope, body, { clock: context.clock, actor: CLI });
  return view({ deps: context }, scope, created);
};

const update: Operation = async (context, args) => {
  const body = bodyOf<Parameters<typeof updateIntegration>[4]>(args, UpdateIntegrationBody);
  const { scope, id } = await target(context, args);
  const updated = await updateIntegration(context.database.db, context.vault, scope, id, body, { clock: context.clock, actor: CLI });
  return view({ deps: context }, scope, updated);
};

const remove: Operation = async (context, args) => {
  const { scope, id } = await target(context, args);
  const shown = await view({ deps: context }, scope, await integrationOr404({ deps: context }, scope, id));
  await deleteIntegration(context.database.db, context.vault, scope, id, { actor: CLI });
  return { ...shown, oauth: shown.oauth ? { ...shown.oauth, hasClientSecret: false } : null };
};

export const integrationOperations = {
  'integrations.list': list,
  'integrations.show': show,
  'integrations.create': create,
  'integrations.update': update,
  'integrations.delete': remove,
};
