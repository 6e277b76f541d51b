/**
 * `{name}` templates in manifests: URLs filled from configuration (`https://{domain}/oauth2/v1/authorize`)
 * and credential formats filled from secrets (`Bearer {apiKey}`).
 */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** What a value may hold when it is one part of a URL (a host, a path segment). */
const URL_PART = /^[A-Za-z0-9._~:-]+$/;

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly placeholder?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export type TemplateValues = Readonly<Record<string, unknown>>;

/** The placeholder names of a template, in order. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function valueOf(values: TemplateValues, name: string): string {
  const value = values[name];
  if (value === undefined || value === null || value === '') throw new TemplateError(`no value for {${name}}`, name);
  if (typeof value !== 'string' && typeof value !== 'number') throw new TemplateError(`{${name}} is not text`, name);
  return String(value);
}

/** Fills every placeholder; a missing value throws `TemplateError`. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_, name: string) => valueOf(values, name));
}

/**
 * Fills a URL template. A placeholder that opens the template stands for a whole URL (and must be
 * one); any other placeholder is one part of the URL and may not carry `/`, `?`, `#` or `@`, so a
 * configured value can never move a request to another host or path.
 * Returns the URL without a trailing slash.
 */
export function resolveUrlTemplate(template: string, values: TemplateValues): string {
  let leading = false;
  const filled = template.replace(PLACEHOLDER, (_, name: string, offset: number) => {
    const value = valueOf(values, name);
    if (offset === 0) {
      leading = true;
      return value.replace(/\/+$/, '');
    }
    if (!URL_PART.test(value)) throw new TemplateError(`{${name}} may only hold letters, digits and . _ ~ : - (got "${value}")`, name);
    return value;
  });
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    throw new TemplateError(leading ? `"${filled}" is not a valid URL` : `template ${template} does not make a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TemplateError(`"${filled}" must use http or https`);
  if (url.username || url.password) throw new TemplateError(`"${url.host}" URL must not carry credentials`);
  return filled.replace(/\/+$/, '');
}
