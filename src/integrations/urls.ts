/**
 * Every URL a developer or end customer configures (base URL and OAuth overrides, URL fields of
 * the configuration) passes the same checks when it is saved: http(s) only, no credentials in it,
 * plain http only where the environment allows private networks (dev, tests), and the SSRF
 * guard. Requests check again at connect time (the guarded provider agent), so a name that
 * resolves elsewhere later is still refused.
 */
import { configuredUrlRefusal, type FieldError, type Resolver } from '../core/index.ts';

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
    const message = await configuredUrlRefusal(url, options);
    if (message) errors.push({ field, message });
  }
  return errors;
}
