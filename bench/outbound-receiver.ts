/**
 * The benchmark's receiver, in its own process so it does not share an event loop with what it
 * measures: answers every POST with 204 at once (keep-alive) and remembers when each
 * `webhook-id` arrived (epoch ms with sub-millisecond precision). Driven over IPC:
 * `{ cmd: 'arrivals' }` → the arrivals since the last call; `{ cmd: 'count' }` → requests so far.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const arrivals: [id: string, at: number][] = [];
let count = 0;
const clock = () => performance.timeOrigin + performance.now();

const server = http.createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    count++;
    const id = req.headers['webhook-id'];
    if (typeof id === 'string') arrivals.push([id, clock()]);
    res.writeHead(204);
    res.end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send!({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'arrivals') process.send!({ arrivals: arrivals.splice(0) });
  else if (message.cmd === 'count') process.send!({ count });
  else if (message.cmd === 'exit') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
