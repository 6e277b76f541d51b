/**
 * Sync frequencies: `every 30m` / `every 2h` / `every 1d`, the presets `hourly` and `daily`, a
 * cron expression (UTC), or `real-time` — runs triggered by the provider's webhooks plus a daily
 * scheduled reconcile, not a tight poll.
 */
import { Cron } from 'croner';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const EVERY = /^every\s+(\d{1,4})\s*(m|min|minutes?|h|hours?|d|days?)$/i;
const PRESETS: Record<string, string> = { hourly: 'every 1h', daily: 'every 1d', 'real-time': 'every 1d' };

export class FrequencyError extends Error {
  constructor(frequency: string, reason: string) {
    super(`"${frequency}" is not a sync frequency: ${reason}. Use every 30m, hourly, daily, real-time or a cron expression.`);
    this.name = 'FrequencyError';
  }
}

type Parsed = { kind: 'interval'; ms: number } | { kind: 'cron'; cron: Cron };

function parse(frequency: string): Parsed {
  const text = PRESETS[frequency.trim().toLowerCase()] ?? frequency.trim();
  const every = EVERY.exec(text);
  if (every) {
    const ms = Number(every[1]) * UNIT_MS[every[2]!.charAt(0).toLowerCase() as keyof typeof UNIT_MS];
    if (ms < 60_000) throw new FrequencyError(frequency, 'the shortest interval is one minute');
    return { kind: 'interval', ms };
  }
  try {
    return { kind: 'cron', cron: new Cron(text, { timezone: 'UTC', paused: true }) };
  } catch (err) {
    throw new FrequencyError(frequency, cronReason(text, err));
  }
}

const CRON_FIELDS = ['second', 'minute', 'hour', 'day of the month', 'month', 'day of the week', 'year'];

/** Why a cron expression was refused, in our words (the cron library's message names its internals). */
function cronReason(text: string, err: unknown): string {
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length < 5 || parts.length > 7) return `a cron expression has five fields (minute hour day-of-month month day-of-week), this one has ${parts.length}`;
  const names = parts.length === 5 ? CRON_FIELDS.slice(1, 6) : CRON_FIELDS.slice(0, parts.length);
  const message = err instanceof Error ? err.message : '';
  const index = parts.findIndex((part) => message.includes(`(${part})`) || message.includes(`'${part}'`) || message.endsWith(`: ${part}`));
  const field = index >= 0 ? `its ${names[index]} field "${parts[index]}"` : 'one of its fields';
  return `${field} is out of range or not cron syntax`;
}

/** Throws `FrequencyError` for a frequency that cannot be scheduled. */
export function checkFrequency(frequency: string): void {
  parse(frequency);
}

/** True for `real-time`: webhooks trigger runs; the schedule only reconciles. */
export const isRealTime = (frequency: string | null | undefined): boolean => frequency?.trim().toLowerCase() === 'real-time';

/** The next scheduled run after `from`; null for syncs that only run when triggered. */
export function nextRunAt(frequency: string | null | undefined, from: Date): Date | null {
  if (!frequency) return null;
  const parsed = parse(frequency);
  if (parsed.kind === 'interval') return new Date(from.getTime() + parsed.ms);
  return parsed.cron.nextRun(from);
}
