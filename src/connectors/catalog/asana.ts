/**
 * Asana: tasks of a project, read with a personal access token.
 * - Authentication: `Authorization: Bearer <personal access token>`:
 *   https://developers.asana.com/docs/personal-access-token; `GET /users/me`.
 * - Tasks: `GET /tasks?project&modified_since&limit(≤100)&offset&opt_fields` → `{ data, next_page:
 *   { offset, path, uri } | null }`: https://developers.asana.com/reference/gettasks,
 *   https://developers.asana.com/docs/pagination
 * - Errors `{ errors: [{ message, help }] }`; 150 requests a minute on free workspaces (1,500 on
 *   paid ones), 429 with `Retry-After`: https://developers.asana.com/docs/rate-limits
 * No webhooks here: Asana's need a handshake (echoing `X-Hook-Secret`) before any signed delivery.
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

interface Task {
  gid: string;
  name: string;
  completed: boolean;
  completed_at?: string | null;
  assignee?: { gid: string; name?: string } | null;
  due_on?: string | null;
  created_at: string;
  modified_at: string;
  permalink_url?: string;
}

const Text = Type.Union([Type.String(), Type.Null()]);

/** Tasks of the project modified since the last run. */
const tasks: SyncDefinition<{ projectGid: string }> = {
  model: 'tasks',
  description: 'Tasks of the connection’s project',
  schema: Type.Object({ gid: Type.String(), name: Type.String(), completed: Type.Boolean(), completedAt: Text, assigneeGid: Text, assignee: Text, dueOn: Text, createdAt: Type.String(), modifiedAt: Type.String(), url: Text }),
  frequency: 'every 30m',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; offset?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const pages = ctx.paginate<Task>(
      {
        path: '/tasks',
        query: { project: ctx.config.projectGid, limit: 100, opt_fields: 'name,completed,completed_at,assignee.name,due_on,created_at,modified_at,permalink_url', ...(since ? { modified_since: since } : {}) },
      },
      { type: 'cursor', results: 'data', cursorPath: 'next_page.offset', cursorParam: 'offset', start: checkpoint.offset },
    );
    for await (const page of pages) {
      await ctx.batchSave(
        page.items.map((t) => {
          if (t.modified_at > newest) newest = t.modified_at;
          return {
            externalId: t.gid,
            data: { gid: t.gid, name: t.name, completed: t.completed, completedAt: t.completed_at ?? null, assigneeGid: t.assignee?.gid ?? null, assignee: t.assignee?.name ?? null, dueOn: t.due_on ?? null, createdAt: t.created_at, modifiedAt: t.modified_at, url: t.permalink_url ?? null },
            updatedAt: t.modified_at,
          };
        }),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, offset: page.next, newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

export default defineConnector({
  key: 'asana',
  name: 'Asana',
  description: 'Tasks of an Asana project, read incrementally with a personal access token.',
  category: 'ops',
  icon: monogramIcon('As', '#f06a6a'),
  capabilities: ['proxy', 'records'],
  connectionMode: 'apiKey',
  connectionConfig: {
    projectGid: { label: 'Project ID', help: 'The number in the project’s URL (app.asana.com/0/<project>/…).', pattern: '[0-9]{1,30}', patternHint: 'is the project’s numeric id' },
  },
  auth: {
    fields: {
      token: { label: 'Personal access token', help: 'My settings → Apps → Developer apps → Personal access tokens.', secret: true, pattern: '[0-9]/[0-9]+(?:/[0-9]+:)?[0-9A-Za-z]+', patternHint: 'is an Asana personal access token (2/…/…:…)' },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {token}' },
  },
  baseUrls: { production: 'https://app.asana.com/api/1.0' },
  rateLimit: '150/minute',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Tasks' }],
  docsUrl: 'https://developers.asana.com/reference/rest-api-reference',
  syncs: [tasks],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ data: { gid: string; name?: string; email?: string } }>({ path: '/users/me', query: { opt_fields: 'name,email' } }));
    return connected({ id: body.data.gid, name: body.data.name, email: body.data.email });
  },
});
