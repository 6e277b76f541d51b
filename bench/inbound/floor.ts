/**
 * The floor of bench/inbound-memory.bench.ts: a bare node:http server that reads each body into
 * a buffer of its declared length (as the hub's inbound route does) and answers 204 — what
 * receiving a body costs in Node before any framework, verification or database touches it.
 * Prints `{ url, sourceId }` like bench/inbound/hub.ts, so the bench drives both alike.
 */
import http from 'node:http';

const server = http.createServer((req, res) => {
  const body = Buffer.allocUnsafe(Number(req.headers['content-length']) || 0);
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.copy(body, size);
  });
  req.on('end', () => {
    res.statusCode = size === body.length ? 204 : 400;
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, sourceId: 'floor' })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
