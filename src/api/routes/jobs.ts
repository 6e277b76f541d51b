import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import { getJob, listJobs, retryJob, type Job } from '../../queue/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { decodeCursor, encodeCursor, Page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const JobView = Type.Object({
  id: Type.String(),
  type: Type.String(),
  state: Type.String(),
  priority: Type.Integer(),
  attempts: Type.Integer(),
  maxAttempts: Type.Union([Type.Integer(), Type.Null()]),
  runAt: Timestamp,
  lastError: Type.Union([Type.String(), Type.Null()]),
  key: Type.Union([Type.String(), Type.Null()]),
  lockedUntil: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
// The payload stays out of the API: it may carry ids of customers' data, and operators need the
// outcome, not the arguments.
const view = (job: Job) => ({
  id: job.id,
  type: job.type,
  state: job.state,
  priority: job.priority,
  attempts: job.attempts,
  maxAttempts: job.maxAttempts,
  runAt: iso(job.runAt)!,
  lastError: job.lastError,
  key: job.key,
  lockedUntil: iso(job.lockedUntil),
  createdAt: iso(job.createdAt)!,
  updatedAt: iso(job.updatedAt)!,
});

export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['jobs'];
  app.get(
    '/jobs',
    {
      config: { scope: 'jobs:read' },
      schema: {
        operationId: 'listJobs',
        tags,
        summary: 'This environment’s jobs, newest first (failed ones keep their last error)',
        querystring: Type.Object({
          ...PageQuery,
          state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('failed')])),
          type: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: Page(JobView), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const result = await listJobs(app.deps.database.db, {
        ...tenantOf(request),
        state: request.query.state,
        type: request.query.type,
        limit: request.query.limit ?? 50,
        cursor: decodeCursor(request.query.cursor),
      });
      return { data: result.data.map(view), nextCursor: result.nextCursor ? encodeCursor(result.nextCursor) : null };
    },
  );

  app.get(
    '/jobs/:id',
    { config: { scope: 'jobs:read' }, schema: { operationId: 'getJob', tags, summary: 'One job', params: IdParams, response: { 200: JobView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const job = await getJob(app.deps.database.db, request.params.id, tenantOf(request));
      if (!job) throw problems.notFound('Job', request.params.id);
      return view(job);
    },
  );

  app.post(
    '/jobs/:id/retry',
    {
      config: { scope: 'jobs:write' },
      schema: { operationId: 'retryJob', tags, summary: 'Run a failed job again (attempts reset)', params: IdParams, response: { 200: JobView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) } },
    },
    async (request) => {
      const scope = tenantOf(request);
      const job = await app.deps.database.db.transaction(async (tx) => {
        const retried = await retryJob(tx, request.params.id, scope);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'job.retried', targetType: 'job', targetId: request.params.id });
        return retried;
      });
      return view(job);
    },
  );
};
