/**
 * `GET /api/v1/listen`: the server-sent-events stream `patchbay listen` reads. The first event,
 * `ready`, names the temporary endpoint and its `whsec_` secret; then one `message` event per
 * message (`{ id, type, headers, body }`: forward `body` with `headers` and it verifies); a
 * comment every 15 s keeps proxies from closing the connection.
 */
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Outbound, StreamMessage } from '../../../webhooks/outbound/index.ts';
import { tenantOf } from '../../context.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../../schemas.ts';

const PING_MS = 15_000;
const list = (value: string | undefined): string[] | undefined => {
  const items = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : undefined;
};

export const listenRoutes: FastifyPluginAsyncTypebox<{ outbound: Outbound }> = async (app, { outbound }) => {
  const open = new Set<ServerResponse>();
  // Streams never go idle on their own: end them before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });

  app.get(
    '/listen',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'listen',
        tags: ['listen'],
        summary: 'Stream this environment’s messages as server-sent events, signed, for `patchbay listen` to forward to a local URL',
        querystring: Type.Object({
          eventTypes: Type.Optional(Type.String({ maxLength: 4_000, description: 'Comma-separated event types (`sync.*` matches a prefix); all when absent' })),
          channels: Type.Optional(Type.String({ maxLength: 4_000, description: 'Comma-separated channels' })),
          label: Type.Optional(Type.String({ maxLength: 200, description: 'Shown in the temporary endpoint’s description' })),
        }),
        response: {
          200: { description: 'text/event-stream: `ready` ({ endpointId, secret }), then `message` ({ id, type, headers, body }) events', content: { 'text/event-stream': { schema: Type.String() } } },
          ...problemResponses(...AUTHENTICATED_PROBLEMS),
        },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const raw = reply.raw;
      let ready = false;
      const held: StreamMessage[] = [];
      const send = (text: string): boolean => {
        if (raw.destroyed || raw.writableEnded) return false;
        raw.write(text);
        return true;
      };
      const event = (message: StreamMessage) => `id: ${message.id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`;
      const stream = await outbound.openStream(scope, { eventTypes: list(request.query.eventTypes), channels: list(request.query.channels), label: request.query.label }, (message) => {
        if (!ready) {
          held.push(message);
          return true;
        }
        return send(event(message));
      });
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      open.add(raw);
      send(`event: ready\ndata: ${JSON.stringify({ endpointId: stream.endpointId, secret: stream.secret })}\n\n`);
      ready = true;
      for (const message of held.splice(0)) send(event(message));
      const ping = setInterval(() => send(': ping\n\n'), PING_MS);
      raw.on('close', () => {
        open.delete(raw);
        clearInterval(ping);
        void stream.close();
      });
    },
  );
};
