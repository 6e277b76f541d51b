/**
 * Every URL a developer or end customer configures (base URL and OAuth overrides, URL fields of
 * the configuration) passes the same checks when it is saved: http(s) only, no credentials in it,
 * plain http only where the environment allows private networks (dev, tests), and the SSRF
 * guard. Requests check again at connect time (the guarded provider agent), so a name that
 * resolves elsewhere later is still refused.
 */
import { assertPublicUrl, SsrfError, type FieldError, type Resolver } from '../core/index.ts';

export interface UrlToCheck {
  /** JSON pointer of the field, for the 400/422 answer: `/baseUrl`, `/config/tokenUrl`. */
  field: string;
  url: string;
}

export interface UrlCheckOptions {
  allowPrivateNetworks: boolean;
  resolve?: Resolver;
}

/** The fields whose URL is refused, with why; empty when all pass. */
export async function checkConfiguredUrls(urls: readonly UrlToCheck[], options: UrlCheckOptions): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const { field, url } of urls) {
    const message = await refusal(url, options);
    if (message) errors.push({ field, message });
  }
  return errors;
}

async function refusal(raw: string, options: UrlCheckOptions): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a URL such as https://api.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'http:' && !options.allowPrivateNetworks) {
    return 'must use https (plain http is only allowed in environments that allow private networks)';
  }
  try {
    await assertPublicUrl(url, { allowPrivateNetworks: options.allowPrivateNetworks, ...(options.resolve ? { resolve: options.resolve } : {}) });
  } catch (err) {
    // A name that does not resolve today cannot be judged; the connect-time guard will.
    if (err instanceof SsrfError && err.reason === 'unresolvable') return undefined;
    if (err instanceof SsrfError) return `is refused: ${err.message}`;
    throw err;
  }
  return undefined;
}
