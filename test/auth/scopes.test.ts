/** Scope names from a request or a CLI flag are checked against the catalogue of scopes itself. */
import { describe, expect, it } from 'vitest';
import { ALL_SCOPES, isScope } from '../../src/auth/index.ts';

describe('isScope', () => {
  it('accepts every scope of the catalogue', () => {
    for (const scope of ALL_SCOPES) expect(isScope(scope), scope).toBe(true);
  });

  it('treats names of Object.prototype members as unknown', () => {
    for (const name of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty']) expect(isScope(name), name).toBe(false);
  });
});
