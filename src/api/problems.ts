/**
 * The one place errors become answers: every error is RFC 9457 problem+json. Bad input of any
 * kind is a 4xx with the failing fields; only our own faults are 500s, and those hide details.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ProblemError, problems, PROBLEM_BASE } from '../core/index.ts';
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

/** Maps a thrown value to a ProblemError; unknown errors become a bare 500. */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  const err = error as FastifyError & { validationContext?: string; expose?: boolean };
  if (err?.validation) return problems.validation(fieldErrors(err.validation as never, err.validationContext));
  switch (err?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problems.badRequest(`The body is not valid JSON: ${err.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError('payload-too-large', 413, 'Payload too large', { detail: 'The body is larger than this route accepts.' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problems.unsupportedMediaType(`Send a body of a type this route accepts (usually application/json).`);
  }
  if (err instanceof SyntaxError) return problems.badRequest(`The body is not valid JSON: ${err.message}`);
  const status = typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    return new ProblemError('bad-request', status, 'Bad request', { detail: err.message });
  }
  return problems.internal();
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemError): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem.toJSON(request.url.split('?')[0]));
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ problem: problem.type, status: problem.status }, 'request refused');
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, problems.notFound('Route', `${request.method} ${request.url.split('?')[0]}`)),
  );
}
