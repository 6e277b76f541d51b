import { createServer } from 'node:net';
import { loadConfig, servingOn, toError, type Config } from '../core/index.ts';
import { createHub, removeStaleSocket, type HubRole } from '../hub/index.ts';
import { OperationError } from './runner.ts';

const ROLES: HubRole[] = ['all', 'api', 'worker'];

/** Runs the hub until SIGINT/SIGTERM, then stops gracefully (jobs finish or are released). */
export async function serve(options: { role: string; port?: number | undefined }): Promise<number | undefined> {
  if (!ROLES.includes(options.role as HubRole)) throw new OperationError(`--role must be all, api or worker (got "${options.role}")`);
  const config = await servedConfig(loadConfig(), options.port);
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

/**
 * The port this process serves decides the public URL (source URLs, connect URLs, the OAuth
 * callback) unless `PUBLIC_URL` is set: `--port 4201` hands out `http://localhost:4201/…`. With
 * port 0 the port is chosen here, before the routes are built, so the URLs name it too.
 */
export async function servedConfig(config: Config, port: number | undefined): Promise<Config> {
  const wanted = port ?? config.port;
  if (wanted !== 0 || config.publicUrlFromEnv) return servingOn(config, wanted);
  return servingOn(config, await freePort(config.host));
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port was assigned'))));
    });
  });
}
