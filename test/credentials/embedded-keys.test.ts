import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, createLogger, parseSecretKeys, type Logger } from '../../src/core/index.ts';
import { ensureEmbeddedSecretKeys, resolveSecretKeys, secretKeysPath } from '../../src/credentials/index.ts';
import { tempDir } from '../support/db.ts';

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

describe('embedded master key', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = tempDir('keys');
    dirs.push(d);
    return path.join(d, 'data'); // not yet created: the function makes it
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('generates a key once into <dataDir>/secret-keys with mode 0600, warning without the key', () => {
    const dataDir = dir();
    const { logger, lines } = capturingLogger();
    const keys = ensureEmbeddedSecretKeys(dataDir, logger);
    const file = secretKeysPath(dataDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(keys).toHaveLength(1);
    expect(keys[0]!.key).toHaveLength(32);
    expect(keys[0]!.id).toMatch(/^embedded-\d{8}$/);
    // The file is a ready-made PATCHBAY_SECRET_KEYS entry.
    expect(parseSecretKeys(fs.readFileSync(file, 'utf8'))).toEqual(keys);
    const log = lines.join('');
    expect(log).toContain('"level":40');
    expect(log).toContain('PATCHBAY_SECRET_KEYS');
    expect(log).not.toContain(keys[0]!.key.toString('base64'));
    expect(log).not.toContain(keys[0]!.key.toString('hex'));
  });

  it('reuses the file on later starts', () => {
    const dataDir = dir();
    const first = ensureEmbeddedSecretKeys(dataDir, capturingLogger().logger);
    const { logger, lines } = capturingLogger();
    expect(ensureEmbeddedSecretKeys(dataDir, logger)).toEqual(first);
    expect(lines.join('')).toContain('production must set PATCHBAY_SECRET_KEYS');
  });

  it('restricts a key file others can read back to 0600', () => {
    const dataDir = dir();
    const first = ensureEmbeddedSecretKeys(dataDir, capturingLogger().logger);
    fs.chmodSync(secretKeysPath(dataDir), 0o644);
    const { logger, lines } = capturingLogger();
    expect(ensureEmbeddedSecretKeys(dataDir, logger)).toEqual(first);
    expect(fs.statSync(secretKeysPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(lines.join('')).toContain('restricted it to 0600');
  });

  it('stops with a message naming the file when it is damaged', () => {
    const dataDir = dir();
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(secretKeysPath(dataDir), 'embedded-1:tooshort\n', { mode: 0o600 });
    expect(() => ensureEmbeddedSecretKeys(dataDir, capturingLogger().logger)).toThrow(ConfigError);
    expect(() => ensureEmbeddedSecretKeys(dataDir, capturingLogger().logger)).toThrow(secretKeysPath(dataDir));
  });

  it('prefers PATCHBAY_SECRET_KEYS when it is set, and writes no file', () => {
    const dataDir = dir();
    const configured = parseSecretKeys(`prod1:${Buffer.alloc(32, 7).toString('base64')}`);
    expect(resolveSecretKeys({ secretKeys: configured, dataDir }, capturingLogger().logger)).toBe(configured);
    expect(fs.existsSync(secretKeysPath(dataDir))).toBe(false);
  });
});
