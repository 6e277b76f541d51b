import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import { ApiKeyCache, type VerifiedApiKey } from '../../src/auth/key-cache.ts';
import { parseApiKeyChange } from '../../src/auth/key-changes.ts';

const key = (id: string, environmentId = 'env_a', organizationId = 'org_a'): VerifiedApiKey => ({
  id,
  organizationId,
  environmentId,
  environmentName: 'dev',
  role: 'developer',
  scopes: ['jobs:read'],
  rateLimits: {},
  revoked: false,
});

function cache(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const clock = new ManualClock();
  return { clock, cache: new ApiKeyCache({ ttlMs: options.ttlMs ?? 30_000, maxEntries: options.maxEntries, clock, holdMs: 5_000 }) };
}

describe('the cache of verified API keys', () => {
  it('keeps a verified key for its time to live, then forgets it', () => {
    const { clock, cache: c } = cache();
    c.set('h1', key('key_1'), c.ticket());
    clock.advance(29_999);
    expect(c.get('h1')?.id).toBe('key_1');
    clock.advance(1);
    expect(c.get('h1')).toBeUndefined();
  });

  it('keeps nothing when its time to live is 0', () => {
    const { cache: c } = cache({ ttlMs: 0 });
    c.set('h1', key('key_1'), c.ticket());
    expect(c.get('h1')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the oldest first', () => {
    const { cache: c } = cache({ maxEntries: 2 });
    for (const n of [1, 2, 3]) c.set(`h${n}`, key(`key_${n}`), c.ticket());
    expect(c.size).toBe(2);
    expect(c.get('h1')).toBeUndefined();
    expect(c.get('h3')?.id).toBe('key_3');
  });

  it('evicts a changed key, and every key of a deleted environment or organization', () => {
    const { cache: c } = cache();
    c.set('h1', key('key_1', 'env_a'), c.ticket());
    c.set('h2', key('key_2', 'env_a'), c.ticket());
    c.set('h3', key('key_3', 'env_b'), c.ticket());
    c.set('h4', key('key_4', 'env_c', 'org_b'), c.ticket());
    c.changed({ keyId: 'key_1' });
    expect(c.get('h1')).toBeUndefined();
    expect(c.get('h2')?.id).toBe('key_2');
    c.changed({ environmentId: 'env_a' });
    expect(c.get('h2')).toBeUndefined();
    expect(c.get('h3')?.id).toBe('key_3');
    c.changed({ organizationId: 'org_a' });
    expect(c.get('h3')).toBeUndefined();
    expect(c.get('h4')?.id).toBe('key_4');
  });

  it('does not keep a lookup that overlapped a change', () => {
    const { cache: c } = cache();
    const ticket = c.ticket();
    c.changed({ keyId: 'key_9' });
    c.set('h1', key('key_1'), ticket);
    expect(c.get('h1')).toBeUndefined();
  });

  it('keeps nothing new while a change announced here is not committed, and keeps again once it is heard', () => {
    const { cache: c } = cache();
    c.set('h1', key('key_1'), c.ticket());
    c.changing({ keyId: 'key_1' });
    expect(c.get('h1')).toBeUndefined();
    c.set('h2', key('key_2'), c.ticket());
    expect(c.get('h2')).toBeUndefined();
    c.changed({ keyId: 'key_1' });
    c.set('h2', key('key_2'), c.ticket());
    expect(c.get('h2')?.id).toBe('key_2');
  });

  it('keeps again after a while when an announced change never commits (a rollback)', () => {
    const { clock, cache: c } = cache();
    c.changing({ keyId: 'key_1' });
    clock.advance(5_000);
    c.set('h2', key('key_2'), c.ticket());
    expect(c.get('h2')?.id).toBe('key_2');
  });

  it('reads the notifications it is sent, and nothing else', () => {
    expect(parseApiKeyChange('{"keyId":"key_1"}')).toEqual({ keyId: 'key_1' });
    expect(parseApiKeyChange('{"environmentId":"env_1"}')).toEqual({ environmentId: 'env_1' });
    expect(parseApiKeyChange('{"organizationId":"org_1"}')).toEqual({ organizationId: 'org_1' });
    expect(parseApiKeyChange('not json')).toBeUndefined();
    expect(parseApiKeyChange('{"keyId":1}')).toBeUndefined();
    expect(parseApiKeyChange('{"keyId":"key_1","extra":true}')).toBeUndefined();
  });
});
