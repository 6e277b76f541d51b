import { loadConfig, toError } from '../core/index.ts';
import { createHub, removeStaleSocket, type HubRole } from '../hub/index.ts';
import { OperationError } from './runner.ts';

const ROLES: HubRole[] = ['all', 'api', 'worker'];

/** Runs the hub until SIGINT/SIGTERM, then stops gracefully (jobs finish or are released). */
export async function serve(options: { role: string; port?: number | undefined }): Promise<number | undefined> {
  if (!ROLES.includes(options.role as HubRole)) throw new OperationError(`--role must be all, api or worker (got "${options.role}")`);
  const config = loadConfig();
  if (options.port !== undefined) config.port = options.port;
  if (!config.databaseUrl && options.role !== 'all') {
    throw new OperationError('--role api and --role worker need DATABASE_URL: the embedded database belongs to one process.');
  }
  const hub = await createHub({ config, role: options.role as HubRole });
  await hub.start();
  if (hub.url) process.stdout.write(`Patchbay (${options.role}) listening on ${hub.url} — API docs at ${hub.url}/api/v1/docs\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      hub.logger.info({ signal }, 'stopping');
      hub.stop().then(resolve, (err: unknown) => {
        hub.logger.error({ err: toError(err) }, 'stop failed');
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  if (!config.databaseUrl) removeStaleSocket(config.dataDir);
  return 0;
}
