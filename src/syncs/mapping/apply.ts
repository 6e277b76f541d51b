/**
 * Applying a mapping: provider data → Patchbay fields on import, Patchbay fields → provider
 * fields on export (each transform undone, in reverse order). A value a transform cannot read
 * (a date that is not a date, an enum value with no entry and no fallback) is a field error, not
 * a guess.
 */
import type { FieldMapping, Transform } from './types.ts';

export class MappingValueError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'MappingValueError';
  }
}

export function getPath(data: unknown, path: string): unknown {
  let current = data;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function setPath(data: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let current = data;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts.at(-1)!] = value;
}

function toMs(value: unknown, form: string, field: string): number {
  if (form === 'unix' || form === 'unixMs') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    if (Number.isNaN(n)) throw new MappingValueError(field, `${JSON.stringify(value)} is not a ${form === 'unix' ? 'Unix time in seconds' : 'Unix time in milliseconds'}`);
    return form === 'unix' ? n * 1000 : n;
  }
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new MappingValueError(field, `${JSON.stringify(value)} is not a date`);
  return ms;
}

function fromMs(ms: number, form: string): string | number {
  if (form === 'unix') return Math.floor(ms / 1000);
  if (form === 'unixMs') return ms;
  const iso = new Date(ms).toISOString();
  return form === 'date' ? iso.slice(0, 10) : iso;
}

function cast(value: unknown, to: string, field: string): unknown {
  if (value === null || value === undefined) return value;
  switch (to) {
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'number':
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'boolean' ? Number(value) : NaN;
      if (Number.isNaN(n)) throw new MappingValueError(field, `${JSON.stringify(value)} is not a number`);
      return to === 'integer' ? Math.trunc(n) : n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1 || value === '1') return true;
      if (value === 'false' || value === 0 || value === '0' || value === '') return false;
      throw new MappingValueError(field, `${JSON.stringify(value)} is not a boolean`);
  }
  return value;
}

/** One transform, provider → Patchbay. */
function forward(t: Transform, value: unknown, source: Readonly<Record<string, unknown>>, field: string): unknown {
  switch (t.type) {
    case 'cast':
      return cast(value, t.to, field);
    case 'dateFormat':
      return value === null || value === undefined ? value : fromMs(toMs(value, t.from, field), t.to);
    case 'enumMap': {
      if (value === null || value === undefined) return value;
      const key = String(value);
      if (Object.hasOwn(t.values, key)) return t.values[key];
      if (t.fallback !== undefined) return t.fallback;
      throw new MappingValueError(field, `${JSON.stringify(value)} has no entry in the enum map`);
    }
    case 'default':
      return value === null || value === undefined ? t.value : value;
    case 'concatenate':
      return t.sources
        .map((path) => getPath(source, path))
        .filter((part) => part !== null && part !== undefined && part !== '')
        .join(t.separator);
    case 'split':
      return typeof value === 'string' ? (value.split(t.separator)[t.index] ?? null) : value;
  }
}

/** One transform undone, Patchbay → provider; `parts` collects the fields a concatenation splits into. */
function backward(t: Transform, value: unknown, parts: Record<string, unknown>, field: string): unknown {
  switch (t.type) {
    case 'cast':
      return value;
    case 'dateFormat':
      return value === null || value === undefined ? value : fromMs(toMs(value, t.to, field), t.from);
    case 'enumMap': {
      if (value === null || value === undefined) return value;
      const entry = Object.entries(t.values).find(([, v]) => v === value);
      if (!entry) throw new MappingValueError(field, `${JSON.stringify(value)} is not a value of the enum map`);
      return entry[0];
    }
    case 'default':
      return value;
    case 'concatenate': {
      const pieces = typeof value === 'string' && t.separator ? value.split(t.separator) : [value];
      t.sources.forEach((path, i) => (parts[path] = i === t.sources.length - 1 ? pieces.slice(i).join(t.separator) || null : (pieces[i] ?? null)));
      return undefined;
    }
    case 'split':
      throw new MappingValueError(field, 'a split field cannot be written back');
  }
}

export interface MappedRecord {
  data: Record<string, unknown>;
  errors: { field: string; message: string }[];
}

const imports = (f: FieldMapping): boolean => f.direction !== 'export';
const exportsField = (f: FieldMapping): boolean => f.direction !== 'import';

/** Provider data → the Patchbay record (import and bidirectional fields). */
export function importRecord(fields: readonly FieldMapping[], source: Readonly<Record<string, unknown>>): MappedRecord {
  const data: Record<string, unknown> = {};
  const errors: MappedRecord['errors'] = [];
  for (const field of fields.filter(imports)) {
    try {
      let value = getPath(source, field.source);
      for (const t of field.transforms ?? []) value = forward(t, value, source, field.target);
      setPath(data, field.target, value === undefined ? null : value);
    } catch (err) {
      if (!(err instanceof MappingValueError)) throw err;
      errors.push({ field: field.target, message: err.message });
    }
  }
  return { data, errors };
}

/**
 * Changed Patchbay fields → the provider fields to write (export and bidirectional fields).
 * Fields of `changes` the mapping does not export are returned in `refused`.
 */
export function exportChanges(fields: readonly FieldMapping[], changes: Readonly<Record<string, unknown>>): { provider: Record<string, unknown>; refused: string[]; errors: MappedRecord['errors'] } {
  const provider: Record<string, unknown> = {};
  const errors: MappedRecord['errors'] = [];
  const exported = fields.filter(exportsField);
  const refused = Object.keys(changes).filter((name) => !exported.some((f) => f.target === name));
  for (const field of exported) {
    if (!Object.hasOwn(changes, field.target)) continue;
    try {
      const parts: Record<string, unknown> = {};
      let value: unknown = changes[field.target];
      for (const t of [...(field.transforms ?? [])].reverse()) value = backward(t, value, parts, field.target);
      if (Object.keys(parts).length > 0) for (const [path, part] of Object.entries(parts)) setPath(provider, path, part);
      else setPath(provider, field.source, value);
    } catch (err) {
      if (!(err instanceof MappingValueError)) throw err;
      errors.push({ field: field.target, message: err.message });
    }
  }
  return { provider, refused, errors };
}
