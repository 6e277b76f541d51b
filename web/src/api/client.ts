/**
 * The one HTTP client of the dashboard: openapi-fetch typed by the hub's own OpenAPI document
 * (schema.d.ts, from `npm run gen:api`). Every request names the current environment; unsafe
 * ones carry the session's CSRF token. Failures become `ApiProblem` with the problem's title and
 * detail, which screens show as they are.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { session } from './session';

export type Problem = components['schemas']['Problem'];

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const ENVIRONMENT_HEADER = 'patchbay-environment';
export const CSRF_HEADER = 'x-csrf-token';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
    /** Seconds to wait before asking again (a 429's `Retry-After`). */
    readonly retryAfter?: number,
  ) {
    super(problem.detail ?? problem.title ?? `The hub answered ${status}.`);
    this.name = 'ApiProblem';
  }
  get title(): string {
    return this.problem.title ?? `Request failed (${this.status})`;
  }
}

const headers: Middleware = {
  onRequest({ request }) {
    request.headers.set(ENVIRONMENT_HEADER, session.environment());
    const csrf = session.csrfToken();
    if (!SAFE.has(request.method) && csrf) request.headers.set(CSRF_HEADER, csrf);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '', credentials: 'same-origin' });
api.use(headers);

/** Awaits an openapi-fetch call and returns its data, or throws the answer's problem. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem = error && typeof error === 'object' ? (error as Partial<Problem>) : { title: response.statusText };
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiProblem(response.status, problem, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  }
  return data as T;
}
