/**
 * The shape of a declarative field mapping, as TypeBox schemas: the API validates bodies with
 * them, and the types below are derived from them.
 */
import Type, { type Static } from 'typebox';

const Path = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z_$][A-Za-z0-9_$-]*(\\.[A-Za-z0-9_$-]+)*$', description: 'A field, dotted for nested ones: `properties.email`' });
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
const DateForm = Type.Enum(['iso', 'date', 'unix', 'unixMs'], { description: '`iso` 8601 text, `date` (YYYY-MM-DD), `unix` seconds, `unixMs` milliseconds' });

export const TransformSchema = Type.Union([
  Type.Object({ type: Type.Literal('cast'), to: Type.Enum(['string', 'number', 'integer', 'boolean']) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('dateFormat'), from: DateForm, to: DateForm }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('enumMap'), values: Type.Record(Type.String(), Scalar), fallback: Type.Optional(Scalar) },
    { additionalProperties: false, description: 'Provider value (as text) → Patchbay value' },
  ),
  Type.Object({ type: Type.Literal('default'), value: Scalar }, { additionalProperties: false, description: 'Used when the value is missing or null' }),
  Type.Object(
    { type: Type.Literal('concatenate'), sources: Type.Array(Path, { minItems: 2, maxItems: 10 }), separator: Type.String({ maxLength: 10 }) },
    { additionalProperties: false, description: 'Joins several provider fields (the mapping’s `source` is ignored); splits back on export' },
  ),
  Type.Object(
    { type: Type.Literal('split'), separator: Type.String({ minLength: 1, maxLength: 10 }), index: Type.Integer({ minimum: 0, maximum: 50 }) },
    { additionalProperties: false, description: 'One part of a provider field; import only' },
  ),
]);
export type Transform = Static<typeof TransformSchema>;

export const DirectionSchema = Type.Enum(['import', 'export', 'bidirectional']);

export const FieldMappingSchema = Type.Object(
  {
    /** The provider's field. */
    source: Path,
    /** The Patchbay field. */
    target: Path,
    direction: DirectionSchema,
    transforms: Type.Optional(Type.Array(TransformSchema, { maxItems: 10 })),
  },
  { additionalProperties: false },
);
export type FieldMapping = Static<typeof FieldMappingSchema>;

export const ConflictRuleSchema = Type.Object(
  {
    field: Path,
    prioritySource: Type.Enum(['provider', 'patchbay']),
    mergeStrategy: Type.Enum(['overwrite', 'append', 'merge']),
  },
  { additionalProperties: false },
);
export type ConflictRule = Static<typeof ConflictRuleSchema>;
