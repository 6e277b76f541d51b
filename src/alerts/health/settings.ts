/** Health-check settings: the hub's defaults, and what an integration sets for itself. */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { healthSettings, type HealthThresholds } from '../schema.ts';

export interface HealthDefaults {
  intervalSeconds: number;
  timeoutMs: number;
  failureThreshold: number;
  thresholds: HealthThresholds;
}

export interface EffectiveHealthSettings extends HealthDefaults {
  enabled: boolean;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { p95Ms: 500, errorRate: 0.01, availability: 0.999 };

export const HEALTH_DEFAULTS: HealthDefaults = { intervalSeconds: 60, timeoutMs: 5_000, failureThreshold: 3, thresholds: DEFAULT_THRESHOLDS };

export type HealthSettingsRow = typeof healthSettings.$inferSelect;

export function effectiveHealthSettings(row: HealthSettingsRow | undefined, defaults: HealthDefaults): EffectiveHealthSettings {
  return {
    enabled: row?.enabled ?? true,
    intervalSeconds: row?.intervalSeconds ?? defaults.intervalSeconds,
    timeoutMs: row?.timeoutMs ?? defaults.timeoutMs,
    failureThreshold: row?.failureThreshold ?? defaults.failureThreshold,
    thresholds: { ...defaults.thresholds, ...(row?.thresholds ?? {}) },
  };
}

export async function readHealthSettings(db: Db, scope: { environmentId: string }, integrationId: string, defaults: HealthDefaults): Promise<EffectiveHealthSettings> {
  const [row] = await db
    .select()
    .from(healthSettings)
    .where(and(eq(healthSettings.environmentId, scope.environmentId), eq(healthSettings.integrationId, integrationId)));
  return effectiveHealthSettings(row, defaults);
}

export interface HealthSettingsPatch {
  enabled?: boolean | null | undefined;
  intervalSeconds?: number | null | undefined;
  timeoutMs?: number | null | undefined;
  failureThreshold?: number | null | undefined;
  thresholds?: Partial<HealthThresholds> | null | undefined;
}

/** Changes an integration's settings (null: back to the default); a new interval applies from the next check. */
export async function updateHealthSettings(
  db: Db,
  scope: { organizationId: string; environmentId: string },
  integrationId: string,
  patch: HealthSettingsPatch,
  now: Date,
): Promise<void> {
  const values = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  await db
    .insert(healthSettings)
    .values({ integrationId, ...scope, ...values, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: healthSettings.integrationId, set: { ...values, updatedAt: now } });
}
