/**
 * The built dashboard (web/dist) at `/`: hashed assets under /assets cached for a year as
 * immutable, HTML never cached, and any other browser navigation answered with index.html so
 * client-side routes work on reload (history-API fallback). The hub's own paths (/api, /oauth,
 * /webhooks, /health, /ready, /metrics) are never answered with the page: they 404 as problems.
 * Pages carry a CSP that lets them load and call only the hub's own origin.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../core/index.ts';
import { MAX_PARAM_LENGTH, uriTooLong } from '../problems.ts';

/** Where `npm run build:web` writes the dashboard. */
export const DASHBOARD_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Paths that belong to the hub and never fall back to the dashboard page. */
export const HUB_PATH_PREFIXES = ['/api', '/oauth', '/webhooks', '/health', '/ready', '/metrics'];

/**
 * History-API fallbacks: a navigation under `prefix` that names no file gets `page`.
 * Longest prefix first. Other pages of web/ (the Connect UI) add theirs here.
 */
const FALLBACK_PAGES: { prefix: string; page: string }[] = [{ prefix: '/', page: 'index.html' }];

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Connector icons are inline SVG documents shown as data: images.
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface DashboardOptions {
  /** The built files; web/dist by default. */
  distDir?: string;
}

const isHubPath = (pathname: string) => HUB_PATH_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));

/** A file inside `dir` named by a URL path, or undefined (missing, a folder, or outside `dir`). */
function fileIn(dir: string, pathname: string): string | undefined {
  const file = path.resolve(dir, `.${pathname}`);
  if (file !== dir && !file.startsWith(dir + path.sep)) return undefined;
  try {
    return fs.statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function send(reply: FastifyReply, file: string, cacheControl: string): FastifyReply {
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  reply.header('content-type', type).header('cache-control', cacheControl).header('x-content-type-options', 'nosniff');
  if (type.startsWith('text/html')) {
    reply.header('content-security-policy', DASHBOARD_CSP).header('referrer-policy', 'same-origin').header('x-frame-options', 'DENY');
  }
  return reply.send(fs.createReadStream(file));
}

const wantsHtml = (request: FastifyRequest) => /\btext\/html\b|\*\/\*/.test(String(request.headers.accept ?? '')) && !/application\/(problem\+)?json/.test(String(request.headers.accept ?? ''));

export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = async (app, options) => {
  const dist = path.resolve(options.distDir ?? DASHBOARD_DIST);
  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(request.url.split('?')[0]!);
    } catch {
      return reply.callNotFound();
    }
    if (isHubPath(pathname)) {
      // The router matched this wildcard instead of refusing an over-long segment of a hub route.
      if (pathname.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) throw uriTooLong();
      return reply.callNotFound();
    }
    const file = pathname.endsWith('/') ? undefined : fileIn(dist, pathname);
    if (file) return send(reply, file, pathname.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
    // A missing hashed asset is a 404, never the page (a stale tab must not parse HTML as JS).
    if (pathname.startsWith('/assets/') || path.extname(pathname) !== '' || !wantsHtml(request)) return reply.callNotFound();
    const fallback = FALLBACK_PAGES.find(({ prefix }) => pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
    const page = fallback && fileIn(dist, `/${fallback.page}`);
    if (!page) {
      throw new ProblemError('dashboard-not-built', 503, 'Dashboard not built', {
        detail: 'This hub has no built dashboard: run `npm run build:web` (npm start does it for you).',
      });
    }
    return send(reply, page, 'no-cache');
  });
};
