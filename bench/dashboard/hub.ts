/**
 * The hub the dashboard benchmark opens: role `all` on a fresh embedded database (what `npm start`
 * runs), seeded with N connections (default 1,000) and M delivered messages (default 10,000) to a
 * loopback receiver. Prints `{ url, email, password }` once every message is delivered.
 */
import http from 'node:http';
import { createLogger, loadConfig } from '../../src/core/index.ts';
import { bootstrapOrganization } from '../../src/auth/index.ts';
import { createHub } from '../../src/hub/index.ts';
import { createIntegration } from '../../src/integrations/index.ts';
import { createConnection } from '../../src/connections/index.ts';

const CONNECTIONS = Number(process.env.DASHBOARD_BENCH_CONNECTIONS ?? 1_000);
const MESSAGES = Number(process.env.DASHBOARD_BENCH_MESSAGES ?? 10_000);
const PASSWORD = 'correct horse battery staple';

const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;

const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
const hub = await createHub({ config, role: 'all', logger: createLogger({ level: 'warn', destination: process.stderr as never }) });
const db = hub.database.db;
const seed = (await bootstrapOrganization(db, { organizationName: 'Bench', organizationSlug: 'bench', environments: ['dev'], ownerEmail: 'owner@bench.test', ownerName: 'Owner', ownerPassword: PASSWORD, keyEnvironment: 'dev', allowPrivateNetworksIn: ['dev'] }))!;
const scope = { organizationId: seed.organization.id, environmentId: seed.environments[0]!.id };
await createIntegration(db, hub.vault, scope, { connectorKey: 'stripe', baseUrl: 'http://127.0.0.1:9/unused' });
for (let i = 0; i < CONNECTIONS; i++) {
  await createConnection(db, hub.vault, scope, { integration: 'stripe', id: `bench-${i}`, endCustomerId: `customer-${i}`, credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' }, test: false });
}
await hub.start();
const url = hub.url!.replace('localhost', '127.0.0.1');
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${seed.apiKey}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
};
await api('POST', '/event-types', { name: 'order.created' });
const endpoint = await api('POST', '/endpoints', { url: receiverUrl, description: 'Orders service' });
for (let sent = 0; sent < MESSAGES; sent += 100) {
  const events = Array.from({ length: Math.min(100, MESSAGES - sent) }, (_, i) => ({ type: 'order.created', data: { orderId: `o_${sent + i}`, total: 100 + i } }));
  await api('POST', '/events/batch', { events });
}
// Ready when every message is delivered.
for (;;) {
  const stats = await api('GET', `/endpoints/${endpoint.id}/stats`);
  if (stats.deliveries.succeeded >= MESSAGES) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
process.stdout.write(`${JSON.stringify({ url, email: 'owner@bench.test', password: PASSWORD, connections: CONNECTIONS, messages: MESSAGES })}\n`);
process.once('SIGTERM', () => void hub.stop().then(() => receiver.close(() => process.exit(0))));
