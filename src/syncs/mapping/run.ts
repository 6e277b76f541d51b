/**
 * What a sync run needs of the mapping of its model: the import, whether export-only fields are
 * kept, and how pending Patchbay edits meet what the provider sent (conflicts.ts).
 */
import type { Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import type { ResolvedConnection } from '../connections.ts';
import { DEFAULT_POLICY, resolveHeld, type ConflictPolicy } from '../conflicts.ts';
import { RecordValidationError } from '../runner/errors.ts';
import type { RunMapping } from '../runner/writer.ts';
import { importRecord } from './apply.ts';
import { mappingFor } from './store.ts';

export async function runMappingFor(db: Db, clock: Clock, connection: ResolvedConnection, model: string): Promise<RunMapping> {
  const scope = { organizationId: connection.organizationId, environmentId: connection.environmentId };
  const mapping = await mappingFor(db, scope, connection.id, connection.integrationId, model);
  const policy: ConflictPolicy = mapping
    ? { strategy: mapping.conflictStrategy, sourcePriority: mapping.sourcePriority, rules: mapping.conflictRules, merge: mapping.fields.some((f) => f.direction === 'export') }
    : DEFAULT_POLICY;
  return {
    toPatchbay: mapping
      ? (data) => {
          const mapped = importRecord(mapping.fields, data);
          if (mapped.errors.length > 0) {
            const id = typeof data.id === 'string' || typeof data.id === 'number' ? String(data.id) : '(unknown)';
            throw new RecordValidationError(model, id, `mapping ${mapping.id}: ${mapped.errors.map((e) => e.message).join('; ')}`);
          }
          return mapped.data;
        }
      : (data) => ({ ...data }),
    merge: policy.merge,
    resolveHeld: (tx, target, held, runId, now) => resolveHeld(tx, target, held, policy, runId, now, clock),
  };
}
