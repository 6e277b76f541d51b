/**
 * `npm start`: the hub on the embedded database with a demo organization, no account needed
 * anywhere. Starts the simulators first, then the hub (role `all`), then seeds once.
 */
import { loadConfig, toError } from '../src/core/index.ts';
import { createHub } from '../src/hub/index.ts';
import { DataDirLockedError } from '../src/db/index.ts';
import { ConfigError } from '../src/core/index.ts';
import { credentialsFile, seedDemo } from './seed.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const hub = await createHub({ config, role: 'all' });
  await hub.start();
  const url = hub.url ?? config.publicUrl;
  const seed = await seedDemo(hub.database.db, config.dataDir, url);
  const lines = [
    '',
    `  Patchbay is running at ${url}`,
    `  API docs:   ${url}/api/v1/docs`,
  ];
  if (seed.credentials) {
    lines.push(
      `  Sign in:    ${seed.credentials.email} / ${seed.credentials.password}`,
      `  Dev API key (shown once; also saved in ${credentialsFile(config.dataDir)}):`,
      `    ${seed.credentials.apiKey}`,
      `  Try:        curl -H "Authorization: Bearer ${seed.credentials.apiKey}" ${url}/api/v1/organizations/current`,
    );
  } else {
    lines.push(`  Demo login and dev API key: ${credentialsFile(config.dataDir)}`);
  }
  lines.push('  Stop with Ctrl-C.', '');
  // Straight to the terminal: credentials never go through the logger.
  process.stdout.write(lines.join('\n') + '\n');

  const stop = () => {
    hub.stop().then(
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
