/**
 * Checks values entered for manifest fields (connection configuration, integration settings, an
 * API-key form) and fills in defaults. The API answers 400 with these errors; the connector
 * context refuses to build from values that fail them.
 */
import type { FieldError } from '../core/index.ts';
import type { Fields } from './manifest.ts';

export type FieldValues = Readonly<Record<string, string | undefined>>;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::\d{1,5})?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * @param at prefix of error field paths, e.g. `/connectionConfig`
 * @returns the values with defaults applied, and every problem found
 */
export function checkFieldValues(
  fields: Fields,
  values: FieldValues,
  at = '',
): { values: Record<string, string>; errors: FieldError[] } {
  const out: Record<string, string> = {};
  const errors: FieldError[] = [];
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(fields, name) && values[name] !== undefined) errors.push({ field: `${at}/${name}`, message: 'is not a field of this connector' });
  }
  for (const [name, field] of Object.entries(fields)) {
    const raw = values[name];
    const value = raw === undefined || raw.trim() === '' ? field.default : field.secret ? raw : raw.trim();
    const path = `${at}/${name}`;
    if (value === undefined || value === '') {
      if (field.required !== false) errors.push({ field: path, message: `${field.label} is required` });
      continue;
    }
    if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`).test(value)) {
      errors.push({ field: path, message: `${field.label} ${field.patternHint ?? `must match ${field.pattern}`}` });
      continue;
    }
    const formatError = checkFormat(field.format, value);
    if (formatError) {
      errors.push({ field: path, message: `${field.label} ${formatError}` });
      continue;
    }
    out[name] = value;
  }
  return { values: out, errors };
}

function checkFormat(format: string | undefined, value: string): string | undefined {
  switch (format) {
    case 'url': {
      try {
        const url = new URL(value);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
        if (url.username || url.password) return 'must not carry credentials';
        return undefined;
      } catch {
        return 'must be a URL such as https://example.com';
      }
    }
    case 'hostname':
      return HOSTNAME.test(value) ? undefined : 'must be a host name such as example.com';
    case 'email':
      return EMAIL.test(value) ? undefined : 'must be an email address';
    default:
      return undefined;
  }
}
