/** The embed token a widget's call carries (`Authorization: Bearer pb_et_…`), checked once for every `/embed/…` route. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError, problems } from '../../core/index.ts';
import { findEmbedToken, type EmbedToken } from '../../connections/index.ts';

export const EMBED_SECURITY = [{ embedToken: [] }];

const bearerOf = (request: FastifyRequest): string | undefined => /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];

/** The unexpired embed token of the request; a 401 problem otherwise. */
export async function embedOf(app: FastifyInstance, request: FastifyRequest): Promise<EmbedToken> {
  const token = bearerOf(request);
  if (!token) throw problems.unauthenticated('Send the embed token: Authorization: Bearer pb_et_….');
  const embed = await findEmbedToken(app.deps.database.db, app.deps.clock, token);
  if (!embed) throw new ProblemError('embed-token-invalid', 401, 'Embed token invalid', { detail: 'The embed token is unknown or has expired; the app must make a new one.' });
  return embed;
}
