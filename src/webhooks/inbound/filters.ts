/**
 * Per-source filters: payload filters (the safe mingo subset in core, the same outbound endpoints
 * use) over a routed event, each dropping it or sending it to another action.
 */
import { compileFilter } from '../../core/index.ts';
import type { SourceAction, SourceFilter } from './schema.ts';

export { filterErrors } from '../../core/index.ts';

/** The event document filters see. */
export interface FilterDocument {
  type: string;
  payload: unknown;
  headers: Record<string, string>;
  externalAccountId: string | null;
  connectionId: string | null;
}

/** The first filter that matches decides: `drop`, another action, or (none matching) the source's own. */
export function applyFilters(filters: readonly SourceFilter[], doc: FilterDocument, fallback: SourceAction): 'drop' | SourceAction {
  for (const filter of filters) {
    if (compileFilter(filter.match)(doc as unknown as Record<string, unknown>)) return filter.then;
  }
  return fallback;
}
