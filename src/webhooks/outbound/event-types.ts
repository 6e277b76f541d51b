/**
 * Event types: a name, a description, a versioned JSON Schema for `data`, and an example. The
 * built-in operational types exist everywhere; custom ones are per environment. Publishing checks
 * `data` against the current version's schema (Ajv, compiled once per version and cached).
 */
import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isDeepStrictEqual } from 'node:util';
import { newId, problems, type Clock, type FieldError } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { BUILT_IN_EVENT_TYPES, builtInEventType } from './builtin-types.ts';
import { eventTypes, type EventTypeRow, type JsonSchema } from './schema.ts';
import type { Scope } from './scope.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false, validateSchema: true }));

export const EVENT_TYPE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const MAX_SCHEMA_BYTES = 64 * 1024;

export interface EventTypeView {
  name: string;
  description: string;
  schemaVersion: number;
  schema: JsonSchema | null;
  example: Record<string, unknown> | null;
  builtIn: boolean;
  archived: boolean;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export const builtInViews = (): EventTypeView[] =>
  BUILT_IN_EVENT_TYPES.map((t) => ({ ...t, builtIn: true, archived: false, createdAt: null, updatedAt: null }));

export function viewOf(row: EventTypeRow): EventTypeView {
  return {
    name: row.name,
    description: row.description,
    schemaVersion: row.schemaVersion,
    schema: row.schemas[String(row.schemaVersion)] ?? null,
    example: row.example ?? null,
    builtIn: false,
    archived: row.archivedAt !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

// Compiled validators by schema identity: a version's schema never changes once saved.
const compiled = new Map<string, ValidateFunction>();

function compile(key: string, schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size > 5_000) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}

/** Refuses a schema Ajv cannot compile, or an example it rejects. */
export function checkSchema(schema: JsonSchema | null | undefined, example: Record<string, unknown> | null | undefined): void {
  if (!schema) return;
  if (JSON.stringify(schema).length > MAX_SCHEMA_BYTES) throw problems.unprocessable(`The schema is larger than ${MAX_SCHEMA_BYTES} bytes.`);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (err) {
    throw problems.unprocessable(`The schema is not a valid JSON Schema: ${(err as Error).message}`, [{ field: '/schema', message: (err as Error).message }]);
  }
  if (example && !validate(example)) {
    throw problems.unprocessable('The example does not match the schema.', toFieldErrors(validate.errors ?? [], '/example'));
  }
}

export function toFieldErrors(errors: readonly ErrorObject[], prefix: string): FieldError[] {
  return errors.map((e) => {
    const missing = e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : '';
    const extra = e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : '';
    return { field: `${prefix}${e.instancePath}${missing}${extra}`, message: e.message ?? 'is invalid' };
  });
}

/** A type ready to check data against: its current version and validator (none: any object). */
export interface ResolvedType {
  name: string;
  schemaVersion: number;
  builtIn: boolean;
  validate: ValidateFunction | undefined;
}

// Types found recently, per environment and name. Publishing reads them on every request; a type
// changed in this process is forgotten at once, one changed elsewhere within RESOLVED_TTL_MS.
const RESOLVED_TTL_MS = 1_000;
const resolved = new Map<string, { type: ResolvedType; until: number }>();
const cacheKey = (scope: Scope, name: string) => `${scope.environmentId}\u0000${name}`;
const forget = (scope: Scope, name: string) => resolved.delete(cacheKey(scope, name));

/** Resolves the named types of one environment in at most one query; archived and unknown ones are absent. */
export async function resolveEventTypes(db: Db, scope: Scope, names: readonly string[]): Promise<Map<string, ResolvedType>> {
  const out = new Map<string, ResolvedType>();
  const custom: string[] = [];
  const now = performance.now();
  for (const name of new Set(names)) {
    const builtIn = builtInEventType(name);
    const cached = resolved.get(cacheKey(scope, name));
    if (builtIn) out.set(name, { name, schemaVersion: builtIn.schemaVersion, builtIn: true, validate: compile(`builtin:${name}:${builtIn.schemaVersion}`, builtIn.schema) });
    else if (cached && cached.until > now) out.set(name, cached.type);
    else custom.push(name);
  }
  if (custom.length === 0) return out;
  const rows = await db
    .select()
    .from(eventTypes)
    .where(and(eq(eventTypes.organizationId, scope.organizationId), eq(eventTypes.environmentId, scope.environmentId), inArray(eventTypes.name, custom), isNull(eventTypes.archivedAt)));
  for (const row of rows) {
    const schema = row.schemas[String(row.schemaVersion)];
    const type: ResolvedType = { name: row.name, schemaVersion: row.schemaVersion, builtIn: false, validate: schema ? compile(`${row.id}:${row.schemaVersion}`, schema) : undefined };
    out.set(row.name, type);
    if (resolved.size > 10_000) resolved.clear();
    resolved.set(cacheKey(scope, row.name), { type, until: now + RESOLVED_TTL_MS });
  }
  return out;
}

export async function listEventTypes(db: Db, scope: Scope, options: { limit: number; after?: string | undefined; includeArchived?: boolean }): Promise<EventTypeRow[]> {
  const conditions = [eq(eventTypes.organizationId, scope.organizationId), eq(eventTypes.environmentId, scope.environmentId)];
  if (options.after) conditions.push(gt(eventTypes.id, options.after));
  if (!options.includeArchived) conditions.push(isNull(eventTypes.archivedAt));
  return db.select().from(eventTypes).where(and(...conditions)).orderBy(asc(eventTypes.id)).limit(options.limit);
}

async function findRow(db: Db, scope: Scope, name: string): Promise<EventTypeRow | undefined> {
  const [row] = await db
    .select()
    .from(eventTypes)
    .where(and(eq(eventTypes.organizationId, scope.organizationId), eq(eventTypes.environmentId, scope.environmentId), eq(eventTypes.name, name)));
  return row;
}

export async function getEventType(db: Db, scope: Scope, name: string): Promise<EventTypeView> {
  const builtIn = builtInEventType(name);
  if (builtIn) return { ...builtIn, builtIn: true, archived: false, createdAt: null, updatedAt: null };
  const row = await findRow(db, scope, name);
  if (!row) throw problems.notFound('Event type', name);
  return viewOf(row);
}

export interface EventTypeInput {
  name: string;
  description?: string | undefined;
  schema?: JsonSchema | null | undefined;
  example?: Record<string, unknown> | null | undefined;
}

export async function createEventType(tx: Db, clock: Clock, scope: Scope, input: EventTypeInput): Promise<EventTypeView> {
  if (!EVENT_TYPE_NAME.test(input.name)) throw problems.validation([{ field: '/name', message: 'use letters, digits, _ and - in dot-separated parts' }]);
  if (builtInEventType(input.name)) throw problems.conflict(`${input.name} is a built-in event type.`);
  checkSchema(input.schema, input.example);
  const now = clock.now();
  const [row] = await tx
    .insert(eventTypes)
    .values({
      id: newId('etype'),
      ...scope,
      name: input.name,
      description: input.description ?? '',
      schemaVersion: 1,
      schemas: input.schema ? { '1': input.schema } : {},
      example: input.example ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw problems.conflict(`An event type named ${input.name} exists already.`);
  return viewOf(row);
}

/** Changes a custom type; a different schema becomes the next `schemaVersion` (earlier ones are kept). */
export async function updateEventType(tx: Db, clock: Clock, scope: Scope, name: string, patch: Omit<EventTypeInput, 'name'> & { archived?: boolean | undefined }): Promise<EventTypeView> {
  if (builtInEventType(name)) throw problems.conflict(`${name} is a built-in event type; it cannot be changed.`);
  const row = await findRow(tx, scope, name);
  if (!row) throw problems.notFound('Event type', name);
  forget(scope, name);
  const current = row.schemas[String(row.schemaVersion)];
  let { schemaVersion, schemas } = row;
  if (patch.schema !== undefined && !isDeepStrictEqual(patch.schema ?? undefined, current)) {
    schemaVersion += 1;
    schemas = { ...schemas };
    if (patch.schema) schemas[String(schemaVersion)] = patch.schema;
  }
  const example = patch.example === undefined ? row.example : patch.example;
  checkSchema(schemas[String(schemaVersion)], example);
  const [updated] = await tx
    .update(eventTypes)
    .set({
      description: patch.description ?? row.description,
      schemaVersion,
      schemas,
      example,
      archivedAt: patch.archived === undefined ? row.archivedAt : patch.archived ? (row.archivedAt ?? clock.now()) : null,
      updatedAt: clock.now(),
    })
    .where(eq(eventTypes.id, row.id))
    .returning();
  return viewOf(updated!);
}
