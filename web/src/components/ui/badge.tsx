/** A small status label. The tone carries meaning; the text always says it too. */
import type { ReactNode } from 'react';

export type BadgeTone = 'neutral' | 'success' | 'danger' | 'warning' | 'info';

export function Badge({ tone = 'neutral', children, title }: { tone?: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span className={`ui-badge ui-badge--${tone}`} title={title}>
      <span className="ui-badge__dot" aria-hidden="true" />
      {children}
    </span>
  );
}

const STATUS_TONES: Record<string, BadgeTone> = {
  connected: 'success',
  processed: 'success',
  succeeded: 'success',
  success: 'success',
  enabled: 'success',
  syncing: 'info',
  running: 'info',
  processing: 'info',
  delivering: 'info',
  pending: 'neutral',
  received: 'neutral',
  duplicate: 'neutral',
  disconnected: 'warning',
  disabled: 'warning',
  rejected: 'warning',
  error: 'danger',
  failed: 'danger',
  dead: 'danger',
};

/** A badge for any status word the API uses (`connected`, `failed`, `processing`…). */
export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status] ?? 'neutral'}>{status}</Badge>;
}
