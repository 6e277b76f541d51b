import { describe, expect, it } from 'vitest';
import { assertFilter, compileFilter, filterErrors, isAnchoredPrefix, ProblemError } from './index.ts';

describe('payload filters', () => {
  it('accepts the safe subset: equality, lists, existence, comparisons, prefixes and logic', () => {
    expect(filterErrors({ a: 1, b: { $in: [1, 2] }, $or: [{ c: { $exists: true } }, { d: { $not: { $gt: 3 } } }] })).toEqual([]);
    expect(filterErrors({ $nor: [{ e: { $nin: ['x', null] } }], 'f.g': { $regex: '^in_\\.' }, h: { $ne: false } })).toEqual([]);
  });

  it('refuses code, backtracking patterns, nested documents and anything else outside the subset', () => {
    const refused = [
      { $where: 'this.a == 1' },
      { a: { $expr: { $eq: ['$a', 1] } } },
      { a: { $regex: 'a.*b' } },
      { a: { $regex: '^(a+)+$' } },
      { a: { $function: { body: 'return 1', args: [], lang: 'js' } } },
      { a: { $elemMatch: { b: 1 } } },
      { a: { b: 1 } },
      { a: [1] },
      { a: { $in: 'x' } },
      { a: { $not: 'x' } },
      { $and: [] },
      { 'a.$b': 1 },
      'a == 1',
      { a: 'x'.repeat(9000) },
    ];
    for (const filter of refused) expect(filterErrors(filter), JSON.stringify(filter).slice(0, 80)).not.toEqual([]);
  });

  it('names each refused part under the pointer it is given', () => {
    expect(filterErrors({ $where: '1', a: { $gt: [] } }).map((e) => e.field)).toEqual(['/filter/$where', '/filter/a/$gt']);
    expect(filterErrors({ $or: [{ a: { $regex: 'x' } }] }, '/filters/2/match').map((e) => e.field)).toEqual(['/filters/2/match/$or/0/a/$regex']);
  });

  it('refuses nesting deeper than eight levels', () => {
    let deep: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 9; i++) deep = { $and: [deep] };
    expect(filterErrors(deep)[0]!.message).toMatch(/deeper than 8/);
  });

  it('throws a validation problem listing every refused part', () => {
    try {
      assertFilter({ $where: '1', a: { $regex: '.*' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProblemError);
      expect((err as ProblemError).status).toBe(400);
      expect((err as ProblemError).errors).toHaveLength(2);
    }
  });

  it('treats only "^" followed by literal or escaped text as an anchored prefix', () => {
    expect(isAnchoredPrefix('^ops@example\\.com')).toBe(true);
    expect(isAnchoredPrefix('ops@')).toBe(false);
    expect(isAnchoredPrefix('^ops.')).toBe(false);
    expect(isAnchoredPrefix('^ops\\')).toBe(false);
    expect(isAnchoredPrefix('^\\d')).toBe(false);
  });

  it('matches documents the way MongoDB would, dotted paths included', () => {
    const matches = compileFilter({ amount: { $gte: 1000 }, currency: { $in: ['EUR', 'USD'] }, 'customer.email': { $regex: '^ops@' }, note: { $exists: false } });
    expect(matches({ amount: 1000, currency: 'EUR', customer: { email: 'ops@example.com' } })).toBe(true);
    expect(matches({ amount: 999, currency: 'EUR', customer: { email: 'ops@example.com' } })).toBe(false);
    expect(matches({ amount: 1000, currency: 'GBP', customer: { email: 'ops@example.com' } })).toBe(false);
    expect(matches({ amount: 1000, currency: 'EUR', customer: { email: 'dev@example.com' } })).toBe(false);
    expect(matches({ amount: 1000, currency: 'EUR', customer: { email: 'ops@example.com' }, note: 'x' })).toBe(false);
    expect(compileFilter({ $nor: [{ a: 1 }, { b: { $not: { $lt: 5 } } }] })({ a: 2, b: 3 })).toBe(true);
  });
});
