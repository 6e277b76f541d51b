/** Checks a form value as the end customer types, with the manifest's pattern and format. */
import type { Field } from './api.ts';
import { fill, type Words } from './i18n.ts';

export function fieldError(field: Field, value: string, words: Words): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return field.required === false ? undefined : words.required;
  if (field.pattern) {
    let matches = true;
    try {
      matches = new RegExp(`^(?:${field.pattern})$`).test(trimmed);
    } catch {
      // A pattern this browser cannot compile is left to the hub to check.
    }
    if (!matches) return fill(words.mustMatch, { hint: field.patternHint ?? field.pattern });
  }
  if (field.format === 'url' && !/^https:\/\/[^\s/]+/.test(trimmed)) return words.notUrl;
  if (field.format === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) return words.notEmail;
  if (field.format === 'hostname' && !/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(trimmed)) return words.notHost;
  return undefined;
}
