/**
 * Cookies where they are used, not on every request. @fastify/cookie registered app-wide parses
 * the `Cookie` header in an onRequest hook and adds an onSend hook to every route (the proxy and
 * the inbound webhook route included), though only session authentication, sign-in and -out and
 * the OAuth flow read or set cookies. So:
 * - reading: `requestCookies(request)` parses the header on first use and keeps the result for
 *   the request (the same parser @fastify/cookie uses);
 * - setting: `registerCookieWriter(app)` inside the route plugins that set cookies (sessions,
 *   OAuth) gives their routes `reply.setCookie`/`reply.clearCookie` and the onSend hook that
 *   writes them; no other route pays for it.
 */
import { createRequire } from 'node:module';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';

// The parser @fastify/cookie itself uses (its own copy of `cookie`), loaded here so reading does
// not depend on the plugin having been registered somewhere first.
const { parseCookie } = createRequire(createRequire(import.meta.url).resolve('@fastify/cookie'))('cookie') as { parseCookie(header: string): Cookies };

export type Cookies = Record<string, string | undefined>;

const parsed = new WeakMap<FastifyRequest, Cookies>();
// No prototype, like the parser's result: no inherited name reads as a cookie.
const NONE: Cookies = Object.freeze(Object.create(null) as Cookies);

/** The request's cookies, parsed once on first use; an empty object when it sent none. */
export function requestCookies(request: FastifyRequest): Cookies {
  const header = request.headers.cookie;
  if (!header) return NONE;
  let cookies = parsed.get(request);
  if (!cookies) parsed.set(request, (cookies = parseCookie(header)));
  return cookies;
}

/** `reply.setCookie` and `reply.clearCookie` for the routes of `app` (an encapsulated route plugin) only. */
export async function registerCookieWriter(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCookie, { hook: false });
}
