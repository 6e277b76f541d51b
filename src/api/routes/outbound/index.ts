/**
 * The outbound webhooks API under /api/v1: event types, events, endpoints, messages, attempts,
 * dead letters, the `patchbay listen` stream, and REST hooks for automation platforms.
 *
 * @example
 * const outbound = registerOutbound({ queue, database, vault, logger, clock });
 * await buildApi(deps, { plugins: [{ plugin: outboundPlugin(outbound) }] });
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Outbound } from '../../../webhooks/outbound/index.ts';
import { endpointRoutes } from './endpoints.ts';
import { eventTypeRoutes } from './event-types.ts';
import { eventRoutes } from './events.ts';
import { hookRoutes } from './hooks.ts';
import { listenRoutes } from './listen.ts';
import { messageRoutes } from './messages.ts';

export const outboundRoutes: FastifyPluginAsyncTypebox<{ outbound: Outbound }> = async (app, options) => {
  await app.register(eventTypeRoutes, options);
  await app.register(eventRoutes, options);
  await app.register(endpointRoutes, options);
  await app.register(messageRoutes, options);
  await app.register(listenRoutes, options);
  await app.register(hookRoutes, options);
};

/** `outboundRoutes` bound to a service, in the shape `buildApi`'s `plugins` and a HubModule's `routes` take. */
export const outboundPlugin =
  (outbound: Outbound): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(outboundRoutes, { outbound });
  };
