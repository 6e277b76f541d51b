/** `patchbay integrations list|show|create|update|delete`: connectors configured in an environment. */
import type { Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, defined, fields, jsonObject, list, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';
import { pair, secret } from './values.ts';

type Integration = Record<string, unknown> & { id: string; key: string; connectorKey: string };

const INTEGRATION_FIELDS = ['id', 'key', 'connectorKey', 'name', 'enabled', 'providerEnvironment', 'baseUrl', 'config', 'settings', 'oauth', 'createdAt', 'updatedAt'];
const showIntegration = (i: Integration) => fields(i, INTEGRATION_FIELDS);

/** The options create and update share; each becomes the API body field of the same meaning. */
const settable = (command: Command): Command =>
  command
    .option('--name <name>', 'display name (the connector’s by default)')
    .option('--client-id <id>', 'OAuth client id')
    .option('--client-secret <secret>', 'OAuth client secret, or @file; kept in the vault, never shown', secret('--client-secret'))
    .option('--scopes <list>', 'comma-separated OAuth scopes (the connector’s by default)', list)
    .option('--oauth-urls <json>', 'OAuth endpoints as a set: {"authorizationUrl", "tokenUrl", "revocationUrl", "issuer"} (or @file.json)', jsonObject('--oauth-urls'))
    .option('--base-url <url>', 'the provider API’s address (a simulator, a regional host)')
    .option('--provider-env <name>', 'the provider’s environment, e.g. sandbox (production by default)')
    .option('--config <name=value>', 'a connector setting (repeatable)', pair('--config'))
    .option('--timeout <ms>', 'per provider request (1000–300000)', whole('--timeout'))
    .option('--retries <n>', 'retries of a failed provider request (0–10)', whole('--retries'))
    .option('--rate-limit <rate>', 'e.g. 100/minute');

function settings(opts: Record<string, unknown>): Record<string, unknown> {
  const tuned = [opts.timeout, opts.retries, opts.rateLimit].some((v) => v !== undefined);
  return defined({
    name: opts.name,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    scopes: opts.scopes,
    oauthUrls: opts.oauthUrls,
    baseUrl: opts.baseUrl,
    providerEnvironment: opts.providerEnv,
    config: opts.config,
    settings: tuned ? defined({ timeoutMs: opts.timeout, retryAttempts: opts.retries, rateLimit: opts.rateLimit }) : undefined,
  });
}

export function integrationCommands(program: Command): void {
  const integrations = program.command('integrations').description('integrations: connectors configured in an environment (OAuth app, base URL, settings)');

  scoped(integrations.command('list'))
    .description('integrations of an environment, newest first')
    .option('--connector <key>', 'only this connector')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('integrations.list', { ...scopeArgs(opts), connector: opts.connector, limit: opts.limit, cursor: opts.cursor });
        print(result, !!opts.json, (r: { data: Integration[]; nextCursor: string | null }) =>
          [table(r.data, ['id', 'key', 'connectorKey', 'name', 'enabled', 'baseUrl']), ...(r.nextCursor ? [`more: --cursor ${r.nextCursor}`] : [])].join('\n'),
        );
      }),
    );

  scoped(integrations.command('show <idOrKey>'))
    .description('one integration (never its client secret); by key with --org/--env')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) => act(async () => print(await run('integrations.show', { ...scopeArgs(opts), id }), !!opts.json, showIntegration)));

  settable(scoped(integrations.command('create <connector>')))
    .description('configure a connector in an environment, e.g. `integrations create hubspot --client-id … --client-secret @secret.txt`')
    .option('--key <key>', 'names it in the environment (the connector key by default)')
    .option('--disabled', 'create it disabled')
    .option('--json', 'machine-readable output')
    .action((connector: string, opts: Record<string, unknown>) =>
      act(async () => {
        const body = { connectorKey: connector, ...settings(opts), ...defined({ key: opts.key, enabled: opts.disabled ? false : undefined }) };
        const result = await run('integrations.create', { ...scopeArgs(opts), body });
        print(result, !!opts.json, (i: Integration) => `created ${i.id} (${i.key}, connector ${i.connectorKey})`);
      }),
    );

  settable(scoped(integrations.command('update <idOrKey>')))
    .description('change an integration (only the options given)')
    .option('--enable', 'enable it')
    .option('--disable', 'disable it: no new connections, no syncs')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const body = { ...settings(opts), ...defined({ enabled: opts.enable ? true : opts.disable ? false : undefined }) };
        print(await run('integrations.update', { ...scopeArgs(opts), id, body }), !!opts.json, showIntegration);
      }),
    );

  scoped(integrations.command('delete <idOrKey>'))
    .description('delete an integration and its secrets (refused while it has connections)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => print(await run('integrations.delete', { ...scopeArgs(opts), id }), !!opts.json, (i: Integration) => `deleted ${i.id} (${i.key})`)),
    );
}
