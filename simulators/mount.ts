/**
 * Simulators served by the hub itself at `/_simulators/<key>`, for the demo and tests: one
 * address per simulator that stays the same across restarts (the hub's own), so an integration a
 * user points at `http://127.0.0.1:4000/_simulators/stripe` keeps working after `npm start`
 * runs again. Only the demo launcher and tests install this module; product code never does.
 *
 * @example
 * const mounted = mountedSimulators('http://127.0.0.1:4000');
 * const hub = await createHub({ config, modules: [mounted.module] });
 * const running = await startAllSimulators({ mount: mounted });
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HubModule } from '../src/hub/index.ts';
import type { SimulatorListener, SimulatorMount } from './support/server.ts';

export const SIMULATORS_PATH = '/_simulators';
const MAX_BODY_BYTES = 1024 * 1024;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface MountedSimulators {
  /** A hub module (structurally `HubModule`): its absolute route serves every attached simulator. */
  module: HubModule;
  /** Where simulator `key` is mounted, to pass as `SimulatorOptions.mount`. */
  at(key: string): SimulatorMount;
  /** Keys mounted so far. */
  keys(): string[];
}

/** `hubOrigin`: the hub's address as the demo's users and the hub itself reach it. */
export function mountedSimulators(hubOrigin: string): MountedSimulators {
  const origin = hubOrigin.replace(/\/$/, '');
  const listeners = new Map<string, { listener: SimulatorListener; close: () => void }>();

  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    // Simulators read the raw body themselves (form, JSON, anything).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
    app.get(SIMULATORS_PATH, { config: { public: true }, schema: { hide: true } }, async () => ({
      data: [...listeners.keys()].sort().map((key) => ({ key, baseUrl: `${origin}${SIMULATORS_PATH}/${key}` })),
    }));
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const { key } = request.params as { key: string };
      const entry = listeners.get(key);
      if (!entry) {
        await reply
          .status(404)
          .type('application/problem+json')
          .send({ type: 'https://patchbay.dev/problems/not-found', title: 'Not found', status: 404, detail: `No simulator "${key}" is mounted here; GET ${SIMULATORS_PATH} lists them.` });
        return;
      }
      const raw = request.raw.url ?? '/';
      const q = raw.indexOf('?');
      const fullPath = q < 0 ? raw : raw.slice(0, q);
      const path = fullPath.slice(`${SIMULATORS_PATH}/${encodeURIComponent(key)}`.length) || '/';
      const body = request.body;
      reply.hijack();
      await entry.listener(request.raw, reply.raw, {
        path: path.startsWith('/') ? path : `/${path}`,
        search: q < 0 ? '' : raw.slice(q),
        rawBody: Buffer.isBuffer(body) ? body.toString('utf8') : '',
      });
    };
    const route = { method: [...METHODS], config: { public: true }, schema: { hide: true }, handler };
    app.route({ ...route, url: `${SIMULATORS_PATH}/:key` });
    app.route({ ...route, url: `${SIMULATORS_PATH}/:key/*` });
  };

  return {
    module: {
      name: 'simulators',
      routes: [{ plugin, absolute: true }],
      async stop() {
        for (const { close } of listeners.values()) close();
      },
    },
    at: (key) => ({
      origin: `${origin}${SIMULATORS_PATH}/${key}`,
      attach(listener, close) {
        listeners.set(key, { listener, close });
      },
    }),
    keys: () => [...listeners.keys()],
  };
}
