/**
 * The `SyncContext` a connector's `exec` is handed: its usual connector context plus the run's
 * helpers — checkpoint, batched saves and deletes (checked against the model's schema, mapped),
 * pagination, a log — all bound to one run.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { ConnectorContext, SyncContext, SyncRecord } from '../../connectors/index.ts';
import type { Logger } from '../../core/index.ts';
import type { ProviderRequest } from '../../proxy/index.ts';
import { RecordValidationError } from './errors.ts';
import { paginate } from './paginate.ts';
import type { RunMapping, RunWriter } from './writer.ts';

const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false });
const validators = new WeakMap<object, ValidateFunction>();

/** A model's schema, compiled once. */
export function recordValidator(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

export interface RunContextOptions {
  model: string;
  schema: object;
  full: boolean;
  since: Date | undefined;
  writer: RunWriter;
  /** The checkpoint to start from when the run has none of its own yet. */
  baseCheckpoint: unknown;
  mapping: RunMapping | undefined;
  signal: AbortSignal;
  logger: Logger;
  /** Counts a page read; returns its number in the run. */
  onPage(): number;
}

export function createSyncContext(base: ConnectorContext, options: RunContextOptions): SyncContext {
  const { writer, mapping, model, logger } = options;
  const validate = recordValidator(options.schema);
  const toIncoming = (record: SyncRecord) => {
    if (typeof record?.externalId !== 'string' || record.externalId === '' || typeof record.data !== 'object' || record.data === null) {
      throw new RecordValidationError(model, String(record?.externalId), 'a record needs an externalId (non-empty text) and data (an object)');
    }
    if (!validate(record.data)) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
      throw new RecordValidationError(model, record.externalId, problems);
    }
    return { externalId: record.externalId, data: mapping ? mapping.toPatchbay(record.data) : record.data, updatedAt: record.updatedAt };
  };
  return Object.freeze({
    ...base,
    signal: options.signal,
    model,
    full: options.full,
    since: options.since,
    checkpoint: {
      get: async <T>() => (writer.checkpoint ? writer.checkpoint.value : options.baseCheckpoint) as T | undefined,
      save: (value: unknown) => writer.saveCheckpoint(value),
    },
    batchSave: (records: readonly SyncRecord[]) => writer.save(records.map(toIncoming)),
    batchDelete: (externalIds: readonly string[]) => writer.delete(externalIds),
    log: (message: string, details?: Record<string, unknown>) => logger.info(details ?? {}, message),
    paginate: <T>(request: ProviderRequest, pagination: Parameters<SyncContext['paginate']>[1]) =>
      paginate<T>(base.http, request, pagination, { onPage: options.onPage, signal: options.signal }),
    countPage: () => void options.onPage(),
  });
}
