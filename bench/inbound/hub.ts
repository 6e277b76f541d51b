/**
 * The hub under test: API role only (ingestion; processing would run in worker processes), on
 * PGlite in a fresh data directory or on PostgreSQL (DATABASE_URL), with one Stripe source.
 * Prints `{ url, sourceId }` when it listens; stops on SIGTERM.
 */
import { createLogger, loadConfig } from '../../src/core/index.ts';
import { bootstrapOrganization } from '../../src/auth/index.ts';
import { createHub } from '../../src/hub/index.ts';
import { createSource } from '../../src/webhooks/inbound/index.ts';

import { BENCH_PUBLIC_URL, BENCH_SECRET } from './constants.ts';

const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: BENCH_PUBLIC_URL, LOG_LEVEL: 'warn' });
const hub = await createHub({ config, role: 'api', logger: createLogger({ level: 'warn', destination: process.stderr as never }) });
const seed = (await bootstrapOrganization(hub.database.db, { organizationName: 'Bench', organizationSlug: `bench-${Date.now()}`, environments: ['prod'], ownerEmail: 'o@bench.test', ownerName: 'O', keyEnvironment: 'prod' }))!;
const scope = { organizationId: seed.organization.id, environmentId: seed.environments[0]!.id };
const source = await hub.database.db.transaction((tx) => createSource(tx, hub.vault, hub.clock, scope, { name: 'Stripe', connectorKey: 'stripe', secret: BENCH_SECRET }));
await hub.start();
process.stdout.write(`${JSON.stringify({ url: hub.url!.replace('localhost', '127.0.0.1'), sourceId: source.id })}\n`);
process.once('SIGTERM', () => void hub.stop().then(() => process.exit(0)));
