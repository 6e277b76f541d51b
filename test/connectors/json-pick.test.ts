/**
 * Reading one field of a webhook body from its bytes answers what parsing the whole body would,
 * for any JSON document (checked against JSON.parse on generated documents), without building
 * the rest of the document.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonField } from '../../src/connectors/index.ts';
import { pickJsonField } from '../../src/connectors/json-pick.ts';

const reference = (text: string, path: string): string | undefined => {
  try {
    return jsonField(JSON.parse(text), path);
  } catch {
    return undefined;
  }
};

const KEYS = ['id', 'event', 'data', 'object', '0', '1', 'a"b', 'é', 'type'];
const key = fc.constantFrom(...KEYS);
const leaf = fc.oneof(fc.string(), fc.constantFrom('evt_1', '', 'x\\"y', 'ü\u2028'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
/** Serialized with duplicate keys kept (JSON.stringify of an object cannot repeat a key). */
function serializeValue(value: unknown, spaced: boolean): string {
  const gap = spaced ? ' \n\t' : '';
  if (value && typeof value === 'object' && '__object' in value) {
    const members = (value as { __object: [string, unknown][] }).__object.map(([k, v]) => `${gap}${JSON.stringify(k)}${gap}:${gap}${serializeValue(v, spaced)}`);
    return `{${members.join(',')}${gap}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => serializeValue(v, spaced)).join(spaced ? ' , ' : ',')}]`;
  return JSON.stringify(value) ?? 'null';
}

/** Marks the generated objects (arrays of members) apart from the generated arrays. */
const tagged = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map((members) => ({ __object: members })),
  array: fc.array(tie('value'), { maxLength: 4 }),
}));

describe('reading one field of a JSON body from its bytes', () => {
  it('answers what parsing the whole document answers, for any document and path', () => {
    fc.assert(
      fc.property(tagged.object, fc.array(key, { minLength: 1, maxLength: 3 }), fc.boolean(), (doc, parts, spaced) => {
        const text = serializeValue(doc, spaced);
        const path = parts.join('.');
        expect(pickJsonField(Buffer.from(text), path)).toBe(reference(text, path));
      }),
      { numRuns: 2_000 },
    );
  });

  it('takes the last of duplicate keys, as JSON.parse does, even when the last lacks the nested field', () => {
    expect(pickJsonField(Buffer.from('{"id":"first","id":"last"}'), 'id')).toBe('last');
    expect(pickJsonField(Buffer.from('{"data":{"id":"a"},"data":{"other":1}}'), 'data.id')).toBeUndefined();
    expect(pickJsonField(Buffer.from('{"data":{"other":1},"data":{"id":7e2}}'), 'data.id')).toBe('700');
  });

  it('reads escaped keys and values, array indexes, and refuses what is not a string or number', () => {
    expect(pickJsonField(Buffer.from('{"\\u0069d":"evt_\\u00e9"}'), 'id')).toBe('evt_é');
    expect(pickJsonField(Buffer.from('{"items":[{"id":1},{"id":2}]}'), 'items.1.id')).toBe('2');
    for (const value of ['true', 'null', '{}', '[]', '""']) expect(pickJsonField(Buffer.from(`{"id":${value}}`), 'id')).toBeUndefined();
  });

  it('answers undefined for bodies that are not JSON where the damage is on its way', () => {
    for (const text of ['', 'id=1', '{"id"', '{"id":"open', '{"a":1 "id":2}', '{"id":}', '[1,2']) {
      expect(pickJsonField(Buffer.from(text), 'id')).toBeUndefined();
    }
  });

  it('finds the id of a 9.5 MiB event without decoding its padding', () => {
    const head = '{"id":"evt_big","object":"event","data":{"object":{"padding":"';
    const body = Buffer.from(head + 'x'.repeat(9.5 * 1024 * 1024) + '"}},"type":"charge.succeeded"}');
    expect(pickJsonField(body, 'id')).toBe('evt_big');
    expect(pickJsonField(body, 'type')).toBe('charge.succeeded');
  });
});
