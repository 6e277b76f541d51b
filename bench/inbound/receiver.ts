/**
 * The limit beside which inbound ingestion is measured: a bare Fastify server that reads each
 * request's raw body and answers 204 — no verification, no storage. Prints `{ url }` when it
 * listens; stops on SIGTERM.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/webhooks/in/:sourceId', async (_request, reply) => reply.status(204).send());
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` })}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
