/**
 * `npm start`: the hub on the embedded database with a demo organization, no account needed
 * anywhere. Starts the provider simulators first, then the hub (role `all`), then seeds once:
 * the organization, and in `dev` a HubSpot and a Stripe integration pointing at their
 * simulators with a Stripe connection tested against its simulator.
 */
import { loadConfig, toError } from '../src/core/index.ts';
import { createHub } from '../src/hub/index.ts';
import { DataDirLockedError, prepareFreshDataDir } from '../src/db/index.ts';
import { ConfigError } from '../src/core/index.ts';
import { mountedSimulators, startAllSimulators } from '../simulators/index.ts';
import { servedConfig } from '../src/cli/serve.ts';
import { credentialsFile, seedDemo, seedDemoConnections } from './seed.ts';
import { ensureDashboardBuilt } from './build-web.ts';
import { demoBanner } from './banner.ts';

async function main(): Promise<void> {
  await ensureDashboardBuilt();
  // The demo holds an organization with known credentials: loopback only unless HOST says otherwise.
  const config = await servedConfig(loadConfig(undefined, { host: '127.0.0.1' }), undefined);
  // The simulators are served by the hub at /_simulators/<key>: their addresses are the hub's,
  // so integrations pointed at them keep working after a restart.
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  const mounted = mountedSimulators(`http://${host.includes(':') ? `[${host}]` : host}:${config.port}`);
  // The simulators start while the data directory is made (a copy of the template, or in a child
  // process whose memory is given back) and the hub opens it; the hub answers nothing until
  // hub.start() below, when both are ready.
  const starting = startAllSimulators({ mount: mounted });
  const opening = (config.databaseUrl ? Promise.resolve(false) : prepareFreshDataDir(config.dataDir)).then(() => createHub({ config, role: 'all', modules: [mounted.module] }));
  const [simulatorsStarted, hubOpened] = await Promise.allSettled([starting, opening]);
  if (simulatorsStarted.status === 'rejected' || hubOpened.status === 'rejected') {
    if (simulatorsStarted.status === 'fulfilled') await simulatorsStarted.value.close();
    if (hubOpened.status === 'fulfilled') await hubOpened.value.stop();
    throw simulatorsStarted.status === 'rejected' ? simulatorsStarted.reason : (hubOpened as PromiseRejectedResult).reason;
  }
  const simulators = simulatorsStarted.value;
  const hub = hubOpened.value;
  await hub.start();
  const url = config.publicUrl;
  const seed = await seedDemo(hub.database.db, config.dataDir, url);
  const connection = await seedDemoConnections({ db: hub.database.db, vault: hub.vault, clock: hub.clock, logger: hub.logger }, seed.organizationId, simulators.simulators);
  const accountName = typeof connection.accountInfo.name === 'string' ? connection.accountInfo.name : undefined;
  const lines = demoBanner({
    url,
    host: config.host,
    port: config.port,
    connection: { id: connection.id, connectorKey: connection.connectorKey, status: connection.status, accountName },
    credentialsFile: credentialsFile(config.dataDir),
    credentials: seed.credentials,
  });
  // Straight to the terminal: credentials never go through the logger.
  process.stdout.write(lines.join('\n') + '\n');

  const stop = () => {
    hub
      .stop()
      .then(() => simulators.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (err instanceof DataDirLockedError || err instanceof ConfigError) process.stderr.write(`patchbay: ${err.message}\n`);
  else process.stderr.write(`patchbay: could not start: ${toError(err).stack}\n`);
  process.exit(err instanceof DataDirLockedError ? 5 : 1);
});
