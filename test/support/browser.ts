/**
 * A browser for OAuth flow tests: it keeps cookies per site, talks to the hub through
 * `app.inject` and to the provider over real HTTP, and follows redirects by hand so a test can
 * stop at the callback and change it (a wrong state, another browser, an expired link).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export const PUBLIC_URL = 'http://localhost:4000';

export class TestBrowser {
  readonly hubCookies = new Map<string, string>();
  readonly providerCookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  /** A GET to the hub, with this browser's cookies; keeps the cookies it sets. */
  async hub(pathOrUrl: string): Promise<LightMyRequestResponse> {
    const url = pathOrUrl.startsWith(PUBLIC_URL) ? pathOrUrl.slice(PUBLIC_URL.length) : pathOrUrl;
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: header(this.hubCookies) } });
    for (const cookie of res.cookies) {
      const expired = cookie.maxAge === 0 || (cookie.expires !== undefined && new Date(cookie.expires).getTime() <= Date.now());
      if (expired) this.hubCookies.delete(cookie.name);
      else this.hubCookies.set(cookie.name, cookie.value);
    }
    return res;
  }

  /**
   * Opens a connect URL and follows the provider's redirects until it sends the browser back to
   * the hub. Returns the hub's first answer and, when the provider redirected back, the callback
   * URL (not yet opened).
   */
  async startConnect(path: string): Promise<{ start: LightMyRequestResponse; providerUrl?: string; callbackUrl?: string }> {
    const start = await this.hub(path);
    if (start.statusCode !== 302) return { start };
    const providerUrl = String(start.headers.location);
    let next = providerUrl;
    for (let hop = 0; hop < 10; hop++) {
      if (next.startsWith(PUBLIC_URL)) return { start, providerUrl, callbackUrl: next };
      const res = await fetch(next, { redirect: 'manual', headers: { cookie: header(this.providerCookies) } });
      for (const set of res.headers.getSetCookie()) {
        const [pair = ''] = set.split(';');
        const at = pair.indexOf('=');
        this.providerCookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`the provider answered ${res.status} without a redirect: ${(await res.text()).slice(0, 500)}`);
      await res.arrayBuffer();
      next = new URL(location, next).href;
    }
    throw new Error('too many redirects');
  }

  /** The whole flow: connect URL → provider → callback page. */
  async connect(path: string): Promise<LightMyRequestResponse> {
    const { start, callbackUrl } = await this.startConnect(path);
    if (!callbackUrl) return start;
    return this.hub(callbackUrl);
  }
}

function header(cookies: Map<string, string>): string {
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}
