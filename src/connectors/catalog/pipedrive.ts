/**
 * Pipedrive: persons and deals of a Pipedrive company, read and updated with a personal API token.
 * API reference: https://developers.pipedrive.com/docs/api/v1 (API v2 for persons and deals),
 * authentication, pagination and rate limits: https://pipedrive.readme.io/docs
 */
import { Type } from 'typebox';
import type { SyncContext, SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

interface Me {
  id: number;
  name: string;
  company_id: number;
  company_name: string;
  company_domain: string;
}

type Model = 'persons' | 'deals';

interface Item {
  id: number;
  update_time: string;
  [field: string]: unknown;
}

const Text = Type.Union([Type.String(), Type.Null()]);
const Id = Type.Union([Type.Integer(), Type.Null()]);
const SCHEMAS = {
  persons: Type.Object({ id: Type.Integer(), name: Type.String(), email: Text, orgId: Id, ownerId: Id, addTime: Type.String(), updateTime: Type.String() }),
  deals: Type.Object({ id: Type.Integer(), title: Type.String(), value: Type.Number(), currency: Type.String(), status: Type.String(), stageId: Id, personId: Id, orgId: Id, updateTime: Type.String() }),
};

const SHAPE: Record<Model, (o: Item) => Record<string, unknown>> = {
  persons: (o) => ({
    id: o.id,
    name: o.name,
    email: (o.emails as { value: string; primary: boolean }[] | undefined)?.find((e) => e.primary)?.value ?? null,
    orgId: o.org_id ?? null,
    ownerId: o.owner_id ?? null,
    addTime: o.add_time,
    updateTime: o.update_time,
  }),
  deals: (o) => ({
    id: o.id,
    title: o.title,
    value: o.value,
    currency: o.currency,
    status: o.status,
    stageId: o.stage_id ?? null,
    personId: o.person_id ?? null,
    orgId: o.org_id ?? null,
    updateTime: o.update_time,
  }),
};

/** Pipedrive's field names for the record fields that can be written back. */
const WRITABLE: Record<Model, Record<string, string>> = {
  persons: { name: 'name', orgId: 'org_id', ownerId: 'owner_id' },
  deals: { title: 'title', value: 'value', currency: 'currency', status: 'status', stageId: 'stage_id', personId: 'person_id' },
};

interface Checkpoint {
  /** Items updated at or after this instant (RFC 3339) are still to be read. */
  since?: string;
  /** Within a run: the list cursor. */
  cursor?: string;
}

/** Items updated since the checkpoint, oldest update first, with the cursor of the one listing. */
async function readItems(ctx: SyncContext, model: Model): Promise<void> {
  const checkpoint = (await ctx.checkpoint.get<Checkpoint>()) ?? {};
  const since = checkpoint.since ?? ctx.since?.toISOString().replace(/\.\d{3}Z$/, 'Z');
  let newest = since;
  const pages = ctx.paginate<Item>(
    { path: `/api/v2/${model}`, query: { limit: 500, sort_by: 'update_time', sort_direction: 'asc', ...(since ? { updated_since: since } : {}) } },
    { type: 'cursor', results: 'data', cursorPath: 'additional_data.next_cursor', cursorParam: 'cursor', start: checkpoint.cursor },
  );
  for await (const page of pages) {
    for (const o of page.items) if (!newest || o.update_time > newest) newest = o.update_time;
    await ctx.batchSave(page.items.map((o) => ({ externalId: String(o.id), data: SHAPE[model](o), updatedAt: o.update_time })));
    await ctx.checkpoint.save({ since, cursor: page.next === undefined ? undefined : String(page.next) } satisfies Checkpoint);
  }
  await ctx.checkpoint.save({ since: newest } satisfies Checkpoint);
}

function itemSync(model: Model): SyncDefinition {
  return {
    model,
    description: `Pipedrive ${model}`,
    schema: SCHEMAS[model],
    frequency: 'hourly',
    // Deletions are not listed by the API: a daily reconcile finds them by difference.
    dataStrategy: 'hybrid',
    exec: (ctx) => readItems(ctx, model),
    async update(ctx, change) {
      const body = Object.fromEntries(Object.entries(change.changes).map(([field, value]) => [WRITABLE[model][field] ?? field, value]));
      expectOk(await ctx.http.request({ method: 'PATCH', path: `/api/v2/${model}/${encodeURIComponent(change.externalId)}`, body }));
    },
  };
}

export default defineConnector({
  key: 'pipedrive',
  name: 'Pipedrive',
  description: 'Persons and deals from a Pipedrive sales CRM, read and updated with a personal API token.',
  category: 'crm',
  icon: monogramIcon('Pd', '#017737'),
  capabilities: ['proxy', 'records'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiToken: {
        label: 'API token',
        help: 'In Pipedrive: Settings → Personal preferences → API. Each user has their own token.',
        pattern: '[A-Za-z0-9]{40}',
        patternHint: 'is the 40-character token shown under Personal preferences → API',
        secret: true,
      },
    },
    inject: { in: 'header', name: 'x-api-token', format: '{apiToken}' },
  },
  baseUrls: { production: 'https://api.pipedrive.com' },
  // Token-based limits start at 80 requests per 2 seconds per token.
  rateLimit: '80/2 seconds',
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Pipedrive deals' }],
  docsUrl: 'https://developers.pipedrive.com/docs/api/v1',
  syncs: [itemSync('persons'), itemSync('deals')],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ data: Me }>({ path: '/api/v1/users/me' }));
    return connected({ id: String(body.data.company_id), name: body.data.company_name, domain: body.data.company_domain, user: body.data.name });
  },
});
