/**
 * "Data preview": a mapping applied to sample records, nothing written. Samples are given, or
 * read live from the provider — the model's own `exec` runs with a context whose saves only
 * collect, and stops once it has enough.
 */
import type { SyncRecord } from '../../connectors/index.ts';
import type { Logger } from '../../core/index.ts';
import type { ProviderProxy } from '../../proxy/index.ts';
import type { ResolvedConnection } from '../connections.ts';
import { providerContext } from '../provider.ts';
import { paginate } from '../runner/paginate.ts';
import { exportChanges, importRecord } from './apply.ts';
import type { FieldMapping } from './types.ts';

class Enough extends Error {}

/** The first `limit` records the model's sync would read, read-only. */
export async function sampleRecords(proxy: ProviderProxy, connection: ResolvedConnection, model: string, limit: number, logger: Logger): Promise<SyncRecord[]> {
  const definition = connection.connector.syncs.find((s) => s.model === model);
  if (!definition) throw new Error(`${connection.connector.manifest.name} has no model "${model}"`);
  const controller = new AbortController();
  const base = providerContext(proxy, connection, { logger, signal: controller.signal });
  const samples: SyncRecord[] = [];
  try {
    await definition.exec({
      ...base,
      signal: controller.signal,
      model,
      full: true,
      since: undefined,
      checkpoint: { get: async () => undefined, save: async () => undefined },
      async batchSave(records) {
        samples.push(...records.slice(0, limit - samples.length));
        if (samples.length >= limit) throw new Enough();
      },
      batchDelete: async () => undefined,
      log: () => undefined,
      paginate: (request, pagination) => paginate(base.http, request, pagination, { onPage: () => 0, signal: controller.signal }),
    });
  } catch (err) {
    if (!(err instanceof Enough)) throw err;
  } finally {
    controller.abort();
  }
  return samples;
}

export interface PreviewItem {
  input: Readonly<Record<string, unknown>>;
  /** The Patchbay record the mapping makes of it. */
  output: Record<string, unknown>;
  /** What writing the bidirectional fields back would send to the provider (the round trip). */
  exported: Record<string, unknown>;
  errors: { field: string; message: string }[];
}

export function previewMapping(fields: readonly FieldMapping[], samples: readonly Readonly<Record<string, unknown>>[]): PreviewItem[] {
  return samples.map((input) => {
    const imported = importRecord(fields, input);
    const exportable = Object.fromEntries(fields.filter((f) => f.direction === 'bidirectional').map((f) => [f.target, imported.data[f.target] ?? null]));
    const back = exportChanges(fields, exportable);
    return { input, output: imported.data, exported: back.provider, errors: [...imported.errors, ...back.errors] };
  });
}
