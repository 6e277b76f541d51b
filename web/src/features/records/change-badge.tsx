/** A record's last change (ADDED / UPDATED / DELETED) as a badge. */
import { Badge, type BadgeTone } from '../../components/ui/badge';

const TONES: Record<string, BadgeTone> = { ADDED: 'success', UPDATED: 'info', DELETED: 'warning' };

export function ChangeBadge({ change }: { change: string }) {
  return <Badge tone={TONES[change] ?? 'neutral'}>{change.toLowerCase()}</Badge>;
}

/** A value as one short line of text (objects as compact JSON). */
export function shortValue(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
