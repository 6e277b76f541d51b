export { buildApi, listRoutes, warmRouteSchemas, type BuildApiOptions } from './server.ts';
export { principalOf, tenantOf, actorOf, loggerOf, type ApiDeps, type Principal, type TenantScope, type RateClass } from './context.ts';
export { requireScope, listRouteAuthorizations, SESSION_COOKIE, ENVIRONMENT_HEADER, CSRF_HEADER, type RouteAuthorization } from './auth.ts';
export { RATE_CLASSES } from './rate-limit.ts';
export { Page, PageQuery, page, decodeCursor, encodeCursor } from './pagination.ts';
export { problemResponses, AUTHENTICATED_PROBLEMS, IdParams, Timestamp, NullableTimestamp, iso } from './schemas.ts';
export { ProblemSchema, toProblem } from './problems.ts';
export { API_DESCRIPTION } from './openapi.ts';
export { syncsApi } from './routes/syncs-api.ts';
