/**
 * Where a CLI command runs its operation:
 * - against a remote hub over its REST API when PATCHBAY_URL is set;
 * - through a running hub's local socket when that hub owns the embedded data directory;
 * - otherwise on the database directly (migrating first, like the hub does at start).
 * Only the last loads the hub's code (seconds under tsx), so it is imported when needed.
 */
import fs from 'node:fs';
import { loadConfig, type Config } from '../core/index.ts';
// The lock file alone, not the database module: reading it must not load a database driver.
import { readLockHolder } from '../db/lock.ts';
import { callLocalSocket, socketPath, OperationError } from '../hub/client.ts';

export { OperationError };

export function cliConfig(): Config {
  return loadConfig();
}

export async function run(name: string, args: Record<string, unknown>, config: Config = cliConfig()): Promise<unknown> {
  if (config.remoteUrl) return (await import('./remote.ts')).callRemote(config, name, args);
  if (!config.databaseUrl) {
    const holder = readLockHolder(config.dataDir);
    const socket = socketPath(config.dataDir);
    if (holder) {
      if (!fs.existsSync(socket)) {
        throw new OperationError(`The data directory ${config.dataDir} is held by process ${holder.pid}, which offers no socket; wait for it to finish starting, or stop it.`, 503, 5);
      }
      return callLocalSocket(socket, name, args);
    }
  }
  return runDirect(config, name, args);
}

async function runDirect(config: Config, name: string, args: Record<string, unknown>): Promise<unknown> {
  const [{ createLogger, systemClock }, { migrate, openDatabase }, { createVault, resolveSecretKeys }, { runOperation }] = await Promise.all([
    import('../core/index.ts'),
    import('../db/index.ts'),
    import('../credentials/index.ts'),
    import('../hub/index.ts'),
  ]);
  // Diagnostics go to stderr at warn level: stdout is for the command's answer.
  const logger = createLogger({ level: 'warn', destination: process.stderr as never });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2, logger });
  try {
    if (name !== 'doctor') await migrate(database.db);
    const vault = createVault({ keys: resolveSecretKeys(config, logger) });
    return await runOperation({ config, database, logger, clock: systemClock, vault }, name, args);
  } finally {
    await database.close();
  }
}
