/**
 * A mapping is checked when it is saved, against itself and against the connector's model: every
 * problem is reported with the field that has it, so nothing fails later in a sync.
 */
import type { FieldError } from '../../core/index.ts';
import type { SyncDefinition } from '../../connectors/index.ts';
import type { ConflictRule, FieldMapping } from './types.ts';

/** Top-level fields the model's schema declares, when it declares them. */
function modelFields(definition: SyncDefinition): Set<string> | undefined {
  const properties = (definition.schema as { properties?: Record<string, unknown> }).properties;
  return properties ? new Set(Object.keys(properties)) : undefined;
}

export function validateMapping(fields: readonly FieldMapping[], rules: readonly ConflictRule[], definition: SyncDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const known = modelFields(definition);
  const targets = new Map<string, number>();
  const exportedSources = new Map<string, number>();
  fields.forEach((field, i) => {
    const at = `/fields/${i}`;
    const transforms = field.transforms ?? [];
    const exported = field.direction !== 'import';
    const seen = targets.get(field.target);
    if (seen !== undefined) errors.push({ field: `${at}/target`, message: `"${field.target}" is already the target of field ${seen}` });
    else targets.set(field.target, i);
    const concat = transforms.find((t) => t.type === 'concatenate');
    const sources = concat?.type === 'concatenate' ? concat.sources : [field.source];
    for (const source of sources) {
      const top = source.split('.')[0]!;
      if (known && !known.has(top)) {
        errors.push({ field: `${at}/source`, message: `"${top}" is not a field of ${definition.model} (its fields: ${[...known].join(', ')})` });
      }
      if (exported) {
        const other = exportedSources.get(source);
        if (other !== undefined) errors.push({ field: `${at}/source`, message: `"${source}" is written back by field ${other} already` });
        else exportedSources.set(source, i);
      }
    }
    transforms.forEach((t, j) => {
      const where = `${at}/transforms/${j}`;
      if (t.type === 'split' && exported) errors.push({ field: where, message: 'a split field can only be imported (direction "import")' });
      if (t.type === 'concatenate' && exported && t.separator === '') errors.push({ field: where, message: 'a concatenation written back needs a separator to split on' });
      if (t.type === 'concatenate' && j !== 0) errors.push({ field: where, message: 'concatenate must come first: it reads the provider fields' });
      if (t.type === 'enumMap' && exported) {
        const values = Object.values(t.values).map((v) => JSON.stringify(v));
        if (new Set(values).size !== values.length) errors.push({ field: where, message: 'an enum map written back must map each value once (it is reversed on export)' });
      }
    });
  });
  rules.forEach((rule, i) => {
    if (!targets.has(rule.field)) errors.push({ field: `/conflictRules/${i}/field`, message: `"${rule.field}" is not a target field of this mapping` });
  });
  if (!definition.update && fields.some((f) => f.direction !== 'import')) {
    errors.push({ field: '/fields', message: `${definition.model} is read-only: its fields can only be imported` });
  }
  return errors;
}
