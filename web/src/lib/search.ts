/**
 * Search-param validation for routes: filters live in the URL, typed at the route. Unknown or
 * malformed values are dropped rather than sent to the API.
 */
export function text(value: unknown, max = 200): string | undefined {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= max ? trimmed : undefined;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

export function bool(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/** Drops undefined entries, so URLs and query keys stay minimal. */
export function compact<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** A list's cursor (opaque, from the API's `nextCursor`). */
export const cursor = (value: unknown): string | undefined => text(value, 500);

/** How many rows a list screen asks for: its route's loader primes the page its screen reads. */
export const LIST_PAGE_SIZE = 50;
