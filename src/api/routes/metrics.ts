/** A connection's metric time series, raw or rolled up by day, week or month. */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { readSeries, type SyncServices } from '../../syncs/index.ts';
import { tenantOf } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, problemResponses, Timestamp } from '../schemas.ts';
import { connectionOr404 } from './syncs.ts';

const DAY = 86_400_000;

export const metricRoutes =
  (services: () => SyncServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/connections/:id/metrics',
      {
        config: { scope: 'syncs:read' },
        schema: {
          operationId: 'getConnectionMetrics',
          tags: ['metrics'],
          summary:
            'The connector’s metrics for a connection in `[from, to)` (default: the last 30 days), each point or rolled up with the metric’s aggregation. Collection is the sync `$metrics`.',
          params: IdParams,
          querystring: Type.Object({
            metricId: Type.Optional(Type.String({ minLength: 1 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            rollup: Type.Optional(Type.Enum(['day', 'week', 'month'])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
          }),
          response: {
            200: Type.Object({
              metrics: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), unit: Type.Union([Type.String(), Type.Null()]), description: Type.Union([Type.String(), Type.Null()]), aggregation: Type.String() })),
              data: Type.Array(Type.Object({ metricId: Type.String(), time: Timestamp, value: Type.Number(), dimensions: Type.Record(Type.String(), Type.String()) })),
            }),
            ...problemResponses(...AUTHENTICATED_PROBLEMS, 404),
          },
        },
      },
      async (request) => {
        const scope = tenantOf(request);
        const connection = await connectionOr404(services(), scope, request.params.id);
        const declared = connection.connector.metrics;
        const metrics = request.query.metricId ? declared.filter((m) => m.id === request.query.metricId) : declared;
        if (request.query.metricId && metrics.length === 0) throw problems.notFound('Metric', request.query.metricId);
        const to = request.query.to ? new Date(request.query.to) : app.deps.clock.now();
        const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - 30 * DAY);
        if (from >= to) throw problems.validation([{ field: 'querystring:/from', message: 'must be before `to`' }]);
        const points = await readSeries(app.deps.database.db, scope, { connectionId: connection.id, metrics, from, to, rollup: request.query.rollup, limit: request.query.limit ?? 1000 });
        return {
          metrics: declared.map((m) => ({ id: m.id, name: m.name, unit: m.unit ?? null, description: m.description ?? null, aggregation: m.aggregation })),
          data: points.map((p) => ({ metricId: p.metricId, time: p.time.toISOString(), value: p.value, dimensions: p.dimensions })),
        };
      },
    );
  };
