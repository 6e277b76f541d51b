import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseSecretKeys } from '../../src/core/index.ts';
import { outboundSettings } from '../../src/hub/modules/outbound.ts';

const key = Buffer.alloc(32, 7).toString('base64');

describe('configuration', () => {
  it('has defaults that need nothing set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/\.patchbay$/);
    expect(config.publicUrl).toBe('http://localhost:4000');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://localhost/db' }, 'PATCHBAY_SECRET_KEYS'],
    [{ PATCHBAY_SECRET_KEYS: 'nocolon' }, 'PATCHBAY_SECRET_KEYS'],
    [{ PATCHBAY_SECRET_KEYS: 'k1:c2hvcnQ=' }, 'PATCHBAY_SECRET_KEYS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ PATCHBAY_WORKER_CONCURRENCY: '0' }, 'PATCHBAY_WORKER_CONCURRENCY'],
    [{ PATCHBAY_RETENTION_DAYS: '0' }, 'PATCHBAY_RETENTION_DAYS'],
    [{ PATCHBAY_ENDPOINT_DISABLE_AFTER_DAYS: 'soon' }, 'PATCHBAY_ENDPOINT_DISABLE_AFTER_DAYS'],
  ])('refuses %o with a message naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}:`));
  });

  it('gives outbound delivery its retention and auto-disable periods', () => {
    expect(outboundSettings(loadConfig({}))).toEqual({ retentionDays: 30, autoDisableAfterMs: 5 * 86_400_000 });
    expect(outboundSettings(loadConfig({ PATCHBAY_RETENTION_DAYS: '7', PATCHBAY_ENDPOINT_DISABLE_AFTER_DAYS: '2' }))).toEqual({ retentionDays: 7, autoDisableAfterMs: 2 * 86_400_000 });
  });

  it('reads master keys current first, and refuses a repeated id', () => {
    const keys = parseSecretKeys(`new:${key}, old:${key}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(() => parseSecretKeys(`a:${key},a:${key}`)).toThrow(/appears twice/);
  });

  it('never puts a key in its error message', () => {
    const secret = Buffer.alloc(31, 9).toString('base64');
    try {
      parseSecretKeys(`k:${secret}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
  });
});
