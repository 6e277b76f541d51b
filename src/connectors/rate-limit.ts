import { RATE_LIMIT_PATTERN } from './manifest.ts';

/** A parsed `100/minute`: at most `limit` requests per `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
  /** As written in the manifest. */
  text: string;
}

const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const SYNTAX = new RegExp(RATE_LIMIT_PATTERN);
const PARTS = /^(\d+)\s*\/\s*(?:(\d+)\s*)?(second|minute|hour|day)s?$/;

export function isRateLimit(text: string): boolean {
  return SYNTAX.test(text) && parseOrUndefined(text) !== undefined;
}

/**
 * @example parseRateLimit('110/10 seconds') // { limit: 110, windowMs: 10_000, text: '110/10 seconds' }
 */
export function parseRateLimit(text: string): RateLimit {
  const parsed = parseOrUndefined(text);
  if (!parsed) {
    throw new RangeError(`"${text}" is not a rate limit: write it as <count>/<unit> or <count>/<n> <unit>, e.g. 100/minute or 110/10 seconds`);
  }
  return parsed;
}

function parseOrUndefined(text: string): RateLimit | undefined {
  const match = PARTS.exec(text.trim());
  if (!match) return undefined;
  const limit = Number(match[1]);
  const count = match[2] === undefined ? 1 : Number(match[2]);
  const unit = match[3] as keyof typeof UNIT_MS;
  if (!Number.isSafeInteger(limit) || limit < 1 || count < 1) return undefined;
  return { limit, windowMs: count * UNIT_MS[unit], text };
}
