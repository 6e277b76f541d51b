/**
 * The one place errors become answers: every error is RFC 9457 problem+json. Bad input of any
 * kind is a 4xx with the failing fields; only our own faults are 500s, and those hide details.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isUniqueViolation, ProblemError, problems, PROBLEM_BASE } from '../core/index.ts';
import { fieldErrors } from './validation.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', description: `Stable problem type under ${PROBLEM_BASE}` }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

type FrameworkError = FastifyError & { validationContext?: string };

/** `Unexpected token } in JSON at position 12` → ` (at character 12)`: where, without the parser's wording. */
function jsonPosition(err: Error): string {
  const at = /position (\d+)/.exec(err.message);
  return at ? ` (at character ${at[1]})` : '';
}

/**
 * Fastify's own errors (router, body parsing), each as one of our problem types in our words.
 * The framework's message never reaches the caller: it names internals (`FST_ERR_…`) and
 * changes between versions.
 */
const FRAMEWORK_PROBLEMS: Record<string, (err: FrameworkError, request: FastifyRequest | undefined) => ProblemError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: (err) => problems.badRequest(`The body is not valid JSON${jsonPosition(err)}.`),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => problems.badRequest('The body is empty but its Content-Type says JSON: send a JSON document or no Content-Type.'),
  FST_ERR_CTP_BODY_TOO_LARGE: (_err, request) => bodyTooLarge(request),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_err, request) =>
    problems.unsupportedMediaType(`This route does not accept a body of type ${mediaType(request)}; send application/json.`),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => problems.badRequest('The body is not as long as its Content-Length header says.'),
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: () => problems.unsupportedMediaType('This request has a body but no Content-Type header; send application/json.'),
  FST_ERR_ROUTE_MISSING_CONTENT: () => problems.badRequest('This route needs a request body.'),
  FST_ERR_BAD_URL: () => new ProblemError('bad-url', 400, 'Bad URL', { detail: 'The path is not valid: a percent-encoded sequence in it does not decode to UTF-8 text.' }),
  FST_ERR_INVALID_URL: () => new ProblemError('bad-url', 400, 'Bad URL', { detail: 'The request URL is not valid.' }),
  FST_ERR_MAX_PARAM_LENGTH: () => uriTooLong(),
  FST_ERR_NOT_FOUND: (_err, request) => notFoundRoute(request),
  FST_ERR_ASYNC_CONSTRAINT: () => problems.badRequest('The request matches no route variant.'),
};

/** Path segments longer than this are refused by the router (414) before any schema runs. */
export const MAX_PARAM_LENGTH = 512;

/** The 414 for a path segment over MAX_PARAM_LENGTH (also for routes a wildcard matched first). */
export const uriTooLong = (): ProblemError =>
  new ProblemError('uri-too-long', 414, 'URI too long', { detail: `A path segment is longer than ${MAX_PARAM_LENGTH} characters; no resource has an id that long.` });

function mediaType(request: FastifyRequest | undefined): string {
  const type = request?.headers['content-type'];
  return typeof type === 'string' && type ? `"${type.split(';')[0]!.trim().slice(0, 100)}"` : 'unknown';
}

function bodyTooLarge(request: FastifyRequest | undefined): ProblemError {
  const limit = request?.routeOptions?.bodyLimit;
  return typeof limit === 'number' ? problems.payloadTooLarge(limit) : new ProblemError('payload-too-large', 413, 'Payload too large', { detail: 'The body is larger than this route accepts.' });
}

function notFoundRoute(request: FastifyRequest | undefined): ProblemError {
  return request ? problems.notFound('Route', `${request.method} ${request.url.split('?')[0]}`) : problems.notFound('Route');
}

const STATUS_TITLES: Record<number, [slug: string, title: string]> = {
  400: ['bad-request', 'Bad request'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  408: ['request-timeout', 'Request timeout'],
  413: ['payload-too-large', 'Payload too large'],
  414: ['uri-too-long', 'URI too long'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  431: ['headers-too-large', 'Request header fields too large'],
};

/**
 * Maps a thrown value to a ProblemError. Our own problems pass as they are; schema failures name
 * their fields; the framework's errors get our wording; anything else is a bare 500.
 */
export function toProblem(error: unknown, request?: FastifyRequest): ProblemError {
  if (error instanceof ProblemError) return error;
  const err = error as FrameworkError;
  if (err?.validation) return problems.validation(fieldErrors(err.validation as never, err.validationContext));
  const framework = typeof err?.code === 'string' ? FRAMEWORK_PROBLEMS[err.code] : undefined;
  if (framework) return framework(err, request);
  if (err instanceof SyntaxError) return problems.badRequest(`The body is not valid JSON${jsonPosition(err)}.`);
  // A uniqueness the code checked first can still be taken by a request running at the same
  // moment: that is a conflict with the current state, not a failure of ours.
  if (isUniqueViolation(err)) return problems.conflict('Another request made the same thing at the same moment, so this one was not applied: read the current state, or send it again.');
  const status = typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    // A client error from a library we did not map: its status stands, its wording does not.
    const [slug, title] = STATUS_TITLES[status] ?? ['bad-request', 'Bad request'];
    return new ProblemError(slug, status, title, { detail: 'The request could not be read.' });
  }
  return problems.internal();
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemError): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  // Router refusals skip the hooks that set it; the request id is how a 4xx or 500 is found in the logs.
  if (!reply.hasHeader('x-request-id')) reply.header('x-request-id', request.id);
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem.toJSON(request.url.split('?')[0]));
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler(answerError);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, notFoundRoute(request)));
}

/**
 * Answers any error as problem+json: the error handler, and Fastify's `frameworkErrors` (the
 * router's own refusals, which never reach the error handler).
 */
export function answerError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(error, request);
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ problem: problem.type, status: problem.status, ...(isFrameworkError(error) ? { code: error.code } : {}) }, 'request refused');
  return sendProblem(reply, request, problem);
}

function isFrameworkError(error: unknown): error is FrameworkError {
  return typeof (error as FrameworkError)?.code === 'string' && (error as FrameworkError).code.startsWith('FST_');
}
