import type { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { ProviderProxy } from '../proxy/index.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock, Config, Logger } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import type { Queue } from '../queue/index.ts';

export type HubRole = 'all' | 'api' | 'worker';

/** What a running hub shares with its modules and operations. */
export interface HubContext {
  config: Config;
  database: Database;
  logger: Logger;
  clock: Clock;
  vault: Vault;
  queue: Queue;
  metrics: Registry;
  redis: Redis | undefined;
  /**
   * The one provider proxy of this process: the proxy route, syncs and health checks share its
   * rate limits (in memory without Redis), holds and circuit breakers.
   */
  proxy: ProviderProxy;
  role: HubRole;
}

/**
 * A domain module plugged into the hub: its API routes, and what it installs on start (job
 * handlers, recurring jobs, in-transaction event listeners).
 */
export interface HubModule {
  name: string;
  routes?: { plugin: FastifyPluginAsyncTypebox; absolute?: boolean }[];
  install?(context: HubContext): void | Promise<void>;
  /** Runs at stop, before the queue and database close. */
  stop?(): Promise<void>;
}
