import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import { newId, type Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import type { Scope } from '../connections.ts';
import { mappings, type ConflictStrategy, type Source } from '../schema.ts';
import type { ConflictRule, FieldMapping } from './types.ts';

export interface Mapping extends Omit<typeof mappings.$inferSelect, 'fields' | 'conflictRules'> {
  fields: FieldMapping[];
  conflictRules: ConflictRule[];
}

export interface MappingInput {
  integrationId?: string | null | undefined;
  connectionId?: string | null | undefined;
  model: string;
  fields: FieldMapping[];
  conflictStrategy?: ConflictStrategy | undefined;
  sourcePriority?: Source | undefined;
  conflictRules?: ConflictRule[] | undefined;
}

const asMapping = (row: typeof mappings.$inferSelect): Mapping => row as Mapping;
const scoped = (scope: Scope) => and(eq(mappings.organizationId, scope.organizationId), eq(mappings.environmentId, scope.environmentId));

export async function createMapping(tx: Db, scope: Scope, input: MappingInput, clock: Clock): Promise<Mapping> {
  const now = clock.now();
  const [row] = await tx
    .insert(mappings)
    .values({
      id: newId('map'),
      ...scope,
      integrationId: input.integrationId ?? null,
      connectionId: input.connectionId ?? null,
      model: input.model,
      fields: input.fields,
      conflictStrategy: input.conflictStrategy ?? 'last_modified',
      sourcePriority: input.sourcePriority ?? 'provider',
      conflictRules: input.conflictRules ?? [],
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return asMapping(row!);
}

export async function updateMapping(tx: Db, scope: Scope, id: string, input: Omit<MappingInput, 'integrationId' | 'connectionId' | 'model'>, clock: Clock): Promise<Mapping | undefined> {
  const [row] = await tx
    .update(mappings)
    .set({
      fields: input.fields,
      ...(input.conflictStrategy ? { conflictStrategy: input.conflictStrategy } : {}),
      ...(input.sourcePriority ? { sourcePriority: input.sourcePriority } : {}),
      ...(input.conflictRules ? { conflictRules: input.conflictRules } : {}),
      updatedAt: clock.now(),
    })
    .where(and(eq(mappings.id, id), scoped(scope)))
    .returning();
  return row ? asMapping(row) : undefined;
}

export async function deleteMapping(tx: Db, scope: Scope, id: string): Promise<boolean> {
  const deleted = await tx.delete(mappings).where(and(eq(mappings.id, id), scoped(scope))).returning({ id: mappings.id });
  return deleted.length > 0;
}

export async function getMapping(db: Db, scope: Scope, id: string): Promise<Mapping | undefined> {
  const [row] = await db.select().from(mappings).where(and(eq(mappings.id, id), scoped(scope)));
  return row ? asMapping(row) : undefined;
}

export async function listMappings(
  db: Db,
  scope: Scope,
  filter: { integrationId?: string | undefined; connectionId?: string | undefined; model?: string | undefined; limit: number; before?: string | undefined },
): Promise<Mapping[]> {
  const rows = await db
    .select()
    .from(mappings)
    .where(
      and(
        scoped(scope),
        filter.integrationId ? eq(mappings.integrationId, filter.integrationId) : undefined,
        filter.connectionId ? eq(mappings.connectionId, filter.connectionId) : undefined,
        filter.model ? eq(mappings.model, filter.model) : undefined,
        filter.before ? lt(mappings.id, filter.before) : undefined,
      ),
    )
    .orderBy(desc(mappings.id))
    .limit(filter.limit);
  return rows.map(asMapping);
}

/** The mapping that applies to a connection's model: its own, else its integration's. */
export async function mappingFor(db: Db, scope: Scope, connectionId: string, integrationId: string, model: string): Promise<Mapping | undefined> {
  const rows = await db
    .select()
    .from(mappings)
    .where(
      and(
        scoped(scope),
        eq(mappings.model, model),
        or(eq(mappings.connectionId, connectionId), and(isNull(mappings.connectionId), eq(mappings.integrationId, integrationId))),
      ),
    );
  const own = rows.find((r) => r.connectionId === connectionId) ?? rows[0];
  return own ? asMapping(own) : undefined;
}
