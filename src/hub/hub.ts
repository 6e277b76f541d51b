/**
 * The composition root. `createHub` opens the database (taking the data-directory lock in
 * embedded mode), migrates under the advisory lock, loads the master keys, and wires the vault,
 * the queue, the domain modules and the API. `role` picks what this process serves:
 * `all` (one process), `api` or `worker` (scale-out against one PostgreSQL).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Redis } from 'ioredis';
import { createLogger, systemClock, toError, type Clock, type Config, type Logger } from '../core/index.ts';
import { startTracing } from '../core/tracing.ts';
import { migrate, openDatabase, type Database } from '../db/index.ts';
import { createVault, resolveSecretKeys } from '../credentials/index.ts';
import { createQueue } from '../queue/index.ts';
import { buildApi, warmRouteSchemas } from '../api/index.ts';
import type { HubContext, HubModule, HubRole } from './context.ts';
import { createProviderProxy } from '../proxy/index.ts';
import { startLocalSocket, type LocalSocket } from './socket.ts';
import { socketPath } from './client.ts';
import { productModules } from './modules.ts';

export interface HubOptions {
  config: Config;
  role?: HubRole;
  logger?: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  database?: Database;
  /** Extra modules (tests); the product's modules are always installed. */
  modules?: HubModule[];
}

export interface Hub extends HubContext {
  app: FastifyInstance | undefined;
  /** Where the API listens once started. */
  url: string | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The exit code of a hub whose embedded database stopped under it (EX_SOFTWARE). */
const EXIT_DATABASE_LOST = 70;

export async function createHub(options: HubOptions): Promise<Hub> {
  const { config } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { service: 'patchbay', role } });
  const clock = options.clock ?? systemClock;
  // A hub whose embedded database's thread died can answer nothing: it exits (the log destination
  // flushes on exit) so that its supervisor starts it again, as a crash on one thread would have.
  const onDatabaseLost = () => process.exit(EXIT_DATABASE_LOST);
  const database =
    options.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, logger, pgliteThread: config.pgliteThread, onDatabaseLost }));
  try {
    const migrated = await migrate(database.db);
    if (migrated.applied > 0) logger.info({ applied: migrated.applied }, 'database migrated');
    // Nothing is loaded unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
    const tracing = await startTracing({ otlpEndpoint: config.otlpEndpoint }, logger);
    const metrics = new Registry();
    // prom-client's own names start with process_ and nodejs_: patchbay_process_cpu_seconds_total, not patchbay_process_process_….
    collectDefaultMetrics({ register: metrics, prefix: 'patchbay_' });
    const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true }) : undefined;
    redis?.on('error', (err) => logger.warn({ err }, 'redis connection error'));
    const vault = createVault({ keys: resolveSecretKeys(config, logger), clock });
    const queue = createQueue({ database, logger, clock, concurrency: config.workerConcurrency, leaseSeconds: config.jobLeaseSeconds, registry: metrics });
    const proxy = createProviderProxy({ logger, redis, registry: metrics, clock });
    const context: HubContext = { config, database, logger, clock, vault, queue, metrics, redis, proxy, role };
    const modules = [...productModules, ...(options.modules ?? [])];
    for (const module of modules) await module.install?.(context);
    const app = role === 'worker' ? undefined : await buildApi({ config, database, logger, clock, metrics, redis, vault }, { plugins: modules.flatMap((m) => m.routes ?? []) });
    let socket: LocalSocket | undefined;
    let stopped: Promise<void> | undefined;

    const hub: Hub = {
      ...context,
      app,
      url: undefined,
      async start() {
        if (role !== 'api') await queue.start();
        if (app) {
          await app.listen({ port: config.port, host: config.host });
          const bound = app.server.address();
          const port = typeof bound === 'object' && bound ? bound.port : config.port;
          const wildcard = ['0.0.0.0', '::', ''].includes(config.host);
          hub.url = `http://${wildcard ? 'localhost' : config.host}:${port}`;
        }
        // In embedded mode the hub owns the data directory; CLI commands reach it here.
        if (!config.databaseUrl) socket = await startLocalSocket(socketPath(config.dataDir), { ...context, hubUrl: hub.url });
        logger.info({ role, url: hub.url }, 'patchbay started');
        // Route schemas compile on first use; the rest compile now, in the background.
        if (app) warmRouteSchemas(app).catch((err: unknown) => logger.error({ err: toError(err) }, 'a route schema does not compile'));
      },
      stop() {
        stopped ??= (async () => {
          await socket?.close();
          await app?.close();
          for (const module of [...modules].reverse()) await module.stop?.();
          await queue.stop({ graceMs: 10_000 });
          await proxy.close();
          redis?.disconnect();
          if (!options.database) await database.close();
          await tracing.shutdown();
          logger.info('patchbay stopped');
        })();
        return stopped;
      },
    };
    return hub;
  } catch (err) {
    if (!options.database) await database.close();
    throw err;
  }
}

/** Removes a socket file left by a hub that was killed (the lock has been taken over by then). */
export function removeStaleSocket(dataDir: string): void {
  fs.rmSync(socketPath(dataDir), { force: true });
}
