/**
 * Dify: runs of a Dify workflow (or chatflow) app, read with the app's API key; chat and workflow
 * runs are started through the proxy. API reference (https://docs.dify.ai/en/api-reference):
 * app keys as `Authorization: Bearer app-…`; `GET /v1/info` (name, description, tags, mode);
 * List Workflow Logs (`GET /v1/workflows/logs` with `page`, `limit` ≤ 100, `created_at__after`,
 * newest first; `{ page, limit, total, has_more, data: [{ id, workflow_run: { id, status,
 * elapsed_time, total_tokens, total_steps, created_at, finished_at }, created_by_end_user,
 * created_at }] }`): https://docs.dify.ai/en/api-reference/workflow-runs/list-workflow-logs;
 * Run Workflow (`POST /v1/workflows/run`) and Send Chat Message (`POST /v1/chat-messages`);
 * errors `{ code, message, status }`. Self-hosted Dify: the integration's base URL (its API
 * address, without /v1).
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

interface WorkflowLog {
  id: string;
  workflow_run: { id: string; status: string; error?: string | null; elapsed_time: number; total_tokens: number; total_steps: number; created_at: number; finished_at?: number | null };
  created_by_end_user?: { session_id?: string | null } | null;
  created_at: number;
}

const Text = Type.Union([Type.String(), Type.Null()]);
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/**
 * Workflow runs created since the newest one read (`created_at__after`), newest first by page.
 * A run is logged once it starts; its status, tokens and time change until it finishes, so a run
 * still `running` is read again by the next run (the bound stays before it).
 */
const runs: SyncDefinition = {
  model: 'workflow_runs',
  description: 'Runs of the workflow app',
  schema: Type.Object({ id: Type.String(), logId: Type.String(), status: Type.String(), error: Text, elapsedSeconds: Type.Number(), tokens: Type.Integer(), steps: Type.Integer(), user: Text, createdAt: Type.String(), finishedAt: Text }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: number; page?: number; newest?: number; unfinished?: number }>()) ?? {};
    const since = ctx.full ? (ctx.since ? Math.floor(ctx.since.getTime() / 1000) : undefined) : (checkpoint.since ?? (ctx.since ? Math.floor(ctx.since.getTime() / 1000) : undefined));
    let newest = checkpoint.newest ?? since ?? 0;
    let unfinished = checkpoint.unfinished;
    const pages = ctx.paginate<WorkflowLog>(
      { path: '/v1/workflows/logs', query: { ...(since ? { created_at__after: iso(since) } : {}) } },
      { type: 'page', results: 'data', pageParam: 'page', limitParam: 'limit', limit: 100, start: checkpoint.page },
    );
    for await (const page of pages) {
      for (const log of page.items) {
        newest = Math.max(newest, log.created_at);
        if (log.workflow_run.status === 'running') unfinished = Math.min(unfinished ?? log.created_at, log.created_at);
      }
      await ctx.batchSave(
        page.items.map((log) => {
          const run = log.workflow_run;
          return {
            externalId: run.id,
            data: { id: run.id, logId: log.id, status: run.status, error: run.error ?? null, elapsedSeconds: run.elapsed_time, tokens: run.total_tokens, steps: run.total_steps, user: log.created_by_end_user?.session_id ?? null, createdAt: iso(run.created_at), finishedAt: run.finished_at ? iso(run.finished_at) : null },
            updatedAt: iso(run.finished_at ?? run.created_at),
          };
        }),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, page: page.next === undefined ? undefined : Number(page.next), newest, unfinished });
    }
    // `created_at__after` is exclusive and in whole seconds: start a second before the newest run
    // read (runs created later in that same second are not missed; those read again are updates),
    // or before the oldest run still going.
    const next = unfinished !== undefined ? unfinished - 1 : newest - 1;
    await ctx.checkpoint.save({ since: newest ? next : since });
  },
};

export default defineConnector({
  key: 'dify',
  name: 'Dify',
  description: 'Runs of a Dify workflow or chatflow app (status, tokens, time) read with the app’s API key; chat and workflow runs started through the proxy.',
  category: 'data',
  icon: monogramIcon('Di', '#1c64f2'),
  capabilities: ['proxy', 'records'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiKey: { label: 'App API key', help: 'In the app: API Access → API Key → Create secret key.', pattern: 'app-[A-Za-z0-9]{16,}', patternHint: 'starts with app-', secret: true },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiKey}' },
  },
  baseUrls: { production: 'https://api.dify.ai' },
  // No rateLimit: Dify Cloud limits by plan (and self-hosted by its own settings); 429s say so.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Workflow runs' }],
  docsUrl: 'https://docs.dify.ai/en/api-reference',
  syncs: [runs],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ name: string; mode?: string; author_name?: string }>({ path: '/v1/info' }));
    return connected({ name: body.name, mode: body.mode, author: body.author_name });
  },
});
