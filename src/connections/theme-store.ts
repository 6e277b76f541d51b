/** Integrations' default Connect UI themes (checked with `checkTheme` before they are stored). */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { integrationThemes } from './schema.ts';
import type { ConnectionScope } from './status.ts';
import type { Theme } from './theme.ts';

const of = (scope: ConnectionScope, integrationId: string) =>
  and(eq(integrationThemes.organizationId, scope.organizationId), eq(integrationThemes.environmentId, scope.environmentId), eq(integrationThemes.integrationId, integrationId));

export async function getIntegrationTheme(db: Db, scope: ConnectionScope, integrationId: string): Promise<Theme | null> {
  const [row] = await db.select().from(integrationThemes).where(of(scope, integrationId));
  return (row?.theme as Theme | undefined) ?? null;
}

/** Default themes of several integrations, by integration id (those without one are absent). */
export async function integrationThemesOf(db: Db, scope: ConnectionScope, integrationIds: string[]): Promise<Map<string, Theme>> {
  if (integrationIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(integrationThemes)
    .where(and(eq(integrationThemes.organizationId, scope.organizationId), eq(integrationThemes.environmentId, scope.environmentId), inArray(integrationThemes.integrationId, integrationIds)));
  return new Map(rows.map((r) => [r.integrationId, r.theme as Theme]));
}

export async function setIntegrationTheme(db: Db, scope: ConnectionScope, integrationId: string, theme: Theme, now: Date): Promise<void> {
  await db
    .insert(integrationThemes)
    .values({ ...scope, integrationId, theme: theme as Record<string, unknown>, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [integrationThemes.environmentId, integrationThemes.integrationId], set: { theme: theme as Record<string, unknown>, updatedAt: now } });
}

export async function removeIntegrationTheme(db: Db, scope: ConnectionScope, integrationId: string): Promise<boolean> {
  const removed = await db.delete(integrationThemes).where(of(scope, integrationId)).returning({ id: integrationThemes.integrationId });
  return removed.length > 0;
}
