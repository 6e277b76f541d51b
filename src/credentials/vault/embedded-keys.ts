/**
 * Embedded mode without PATCHBAY_SECRET_KEYS: a master key generated once into the data
 * directory, so `npx patchbay` works with no setup. The file holds one line in the
 * PATCHBAY_SECRET_KEYS format, so moving to production is: set
 * `PATCHBAY_SECRET_KEYS=<new key>,<this line>`, run `patchbay vault rotate`, drop this line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, parseSecretKeys, toError, type Config, type Logger, type MasterKey } from '../../core/index.ts';

export const secretKeysPath = (dataDir: string): string => path.join(dataDir, 'secret-keys');

const WARNING =
  'Secrets are encrypted with a master key kept in the data directory, next to the data it protects. ' +
  'That is fine for development and demos; production must set PATCHBAY_SECRET_KEYS (keyId:base64 of 32 random bytes).';

function readKeys(file: string): MasterKey[] {
  try {
    return parseSecretKeys(fs.readFileSync(file, 'utf8'), file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(file, `cannot be read: ${toError(err).message}`);
  }
}

/**
 * Writes a new key whole to a temporary file, then links it into place: link fails when the file
 * exists, so two processes starting together cannot both write a key (the loser reads the
 * winner's), and a crash never leaves a half-written key file. False when another process won.
 */
function generateKeyFile(file: string): boolean {
  const line = `embedded-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}:${randomBytes(32).toString('base64')}\n`;
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, line, { mode: 0o600 });
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Returns the embedded master keys, generating `<dataDir>/secret-keys` (mode 0600) on first use.
 * Logs a warning, never the key.
 */
export function ensureEmbeddedSecretKeys(dataDir: string, logger: Logger): MasterKey[] {
  const file = secretKeysPath(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) {
    const generated = generateKeyFile(file);
    if (generated) {
      logger.warn({ file }, `Generated a master key into ${file}. ${WARNING}`);
      return readKeys(file);
    }
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    fs.chmodSync(file, 0o600);
    logger.warn({ file, mode: mode.toString(8) }, `${file} was readable by others (mode ${mode.toString(8)}); restricted it to 0600.`);
  }
  logger.warn({ file }, `Using the master key in ${file}. ${WARNING}`);
  return readKeys(file);
}

/** The master keys a process runs with: PATCHBAY_SECRET_KEYS, else the embedded key file. */
export function resolveSecretKeys(config: Pick<Config, 'secretKeys' | 'dataDir'>, logger: Logger): MasterKey[] {
  return config.secretKeys.length > 0 ? config.secretKeys : ensureEmbeddedSecretKeys(config.dataDir, logger);
}
