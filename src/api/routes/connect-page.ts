/**
 * The Connect UI's page (`/connect`, the widgets `/connect/embed` and `/connect/embed/sync`) and the browser SDK (`/sdk/connect.js`
 * with its `.d.ts`), from the web build (web/dist). The page may be framed only by the origins
 * its session (`?session=cs_…`) or embed token (`?embed=emb_…`) allows — its CSP's
 * `frame-ancestors` — and otherwise by nobody; it loads and calls only this hub.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ProblemError } from '../../core/index.ts';
import { connectSessions } from '../../credentials/oauth/index.ts';
import { embedTokens } from '../../connections/index.ts';
import { DASHBOARD_DIST } from './dashboard.ts';

export interface ConnectPageOptions {
  distDir?: string;
}

const csp = (ancestors: string[]) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${ancestors.length > 0 ? ancestors.join(' ') : "'none'"}`,
  ].join('; ');

const ID = /^[a-z]+_[A-Za-z0-9]{10,40}$/;

export const connectPageRoutes: FastifyPluginAsync<ConnectPageOptions> = async (app, options) => {
  const dist = path.resolve(options.distDir ?? DASHBOARD_DIST);
  const { db } = app.deps.database;

  function sendFile(reply: FastifyReply, file: string, type: string, cache: string): FastifyReply {
    if (!fs.existsSync(file)) {
      throw new ProblemError('dashboard-not-built', 503, 'Web build missing', { detail: 'This hub has no built Connect UI: run `npm run build:web` (npm start does it for you).' });
    }
    return reply.header('content-type', type).header('cache-control', cache).header('x-content-type-options', 'nosniff').send(fs.createReadStream(file));
  }

  /** The origins allowed to frame this page: the session's or the embed token's, or none. */
  async function ancestors(query: Record<string, string | undefined>): Promise<string[]> {
    if (query.session && ID.test(query.session)) {
      const [row] = await db.select({ origins: connectSessions.origins }).from(connectSessions).where(eq(connectSessions.id, query.session));
      return row?.origins ?? [];
    }
    if (query.embed && ID.test(query.embed)) {
      const [row] = await db.select({ origins: embedTokens.origins }).from(embedTokens).where(eq(embedTokens.id, query.embed));
      return row?.origins ?? [];
    }
    return [];
  }

  for (const url of ['/connect', '/connect/embed', '/connect/embed/sync']) {
    app.get(url, { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const allowed = await ancestors(request.query as Record<string, string | undefined>);
      reply.header('content-security-policy', csp(allowed)).header('referrer-policy', 'no-referrer');
      if (allowed.length === 0) reply.header('x-frame-options', 'DENY');
      return sendFile(reply, path.join(dist, 'connect.html'), 'text/html; charset=utf-8', 'no-cache');
    });
  }

  app.get('/sdk/connect.js', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    sendFile(reply.header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin'), path.join(dist, 'sdk', 'connect.js'), 'text/javascript; charset=utf-8', 'public, max-age=300'),
  );
  app.get('/sdk/connect.d.ts', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    sendFile(reply.header('access-control-allow-origin', '*'), path.join(dist, 'sdk', 'connect.d.ts'), 'text/plain; charset=utf-8', 'public, max-age=300'),
  );
};
