/**
 * Value rotation (a person replacing a credential), not master-key rotation. A secret with
 * `rotateEveryDays` is due from `dueSoonDays` before `rotatedAt + rotateEveryDays` (a heads-up),
 * and overdue once that moment has passed.
 */
const DAY_MS = 86_400_000;
export const DUE_SOON_DAYS = 7;

export interface RotationStatus {
  /** When the value should next be replaced; null without a policy. */
  dueAt: Date | null;
  due: boolean;
  overdue: boolean;
}

export function rotationStatus(
  secret: { rotatedAt: Date; rotateEveryDays: number | null },
  now: Date,
  dueSoonDays = DUE_SOON_DAYS,
): RotationStatus {
  if (!secret.rotateEveryDays) return { dueAt: null, due: false, overdue: false };
  const dueAt = new Date(secret.rotatedAt.getTime() + secret.rotateEveryDays * DAY_MS);
  // A short period gets a proportionally short heads-up: never more than a quarter of it.
  const window = Math.min(dueSoonDays, secret.rotateEveryDays / 4) * DAY_MS;
  return {
    dueAt,
    due: now.getTime() >= dueAt.getTime() - window,
    overdue: now.getTime() >= dueAt.getTime(),
  };
}
