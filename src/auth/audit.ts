import { and, desc, eq, lt } from 'drizzle-orm';
import { newId } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { auditLog } from './schema.ts';

export type AuditEntry = typeof auditLog.$inferSelect;

/** Who did something: a dashboard user, an API key, the CLI on the hub's machine, or Patchbay itself. */
export interface Actor {
  type: 'user' | 'api_key' | 'system' | 'cli';
  id: string | null;
  ip?: string | null | undefined;
  requestId?: string | null | undefined;
}

export interface AuditInput {
  organizationId: string;
  environmentId?: string | null | undefined;
  actor: Actor;
  action: string;
  targetType?: string | undefined;
  targetId?: string | undefined;
  /** Never secrets: the log is readable by every member with `audit-log:read`. */
  details?: Record<string, unknown> | undefined;
}

/** Records a change in the caller's transaction, so the entry exists exactly when the change does. */
export async function recordAudit(tx: Db, input: AuditInput): Promise<void> {
  await tx.insert(auditLog).values({
    id: newId('aud'),
    organizationId: input.organizationId,
    environmentId: input.environmentId ?? null,
    actorType: input.actor.type,
    actorId: input.actor.id,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    details: input.details ?? {},
    ip: input.actor.ip ?? null,
    requestId: input.actor.requestId ?? null,
  });
}

export async function listAudit(
  db: Db,
  scope: { organizationId: string; environmentId?: string | undefined; action?: string | undefined },
  page: { limit: number; before?: string | undefined },
): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.organizationId, scope.organizationId),
        scope.environmentId ? eq(auditLog.environmentId, scope.environmentId) : undefined,
        scope.action ? eq(auditLog.action, scope.action) : undefined,
        page.before ? lt(auditLog.id, page.before) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(page.limit);
}
