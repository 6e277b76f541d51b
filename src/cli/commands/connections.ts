/** `patchbay connections list|show|create|test|rotate|delete|actions|run`: end customers' linked accounts. */
import { Option, type Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, defined, fields, jsonObject, list, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';
import { pair, secretPair } from './values.ts';

type Connection = Record<string, unknown> & { id: string; status: string };
type TestAnswer = { ok: boolean; code?: string; message?: string; hint?: string; status?: number; connection: Connection };

const CONNECTION_FIELDS = ['id', 'integrationId', 'connectorKey', 'endCustomerId', 'status', 'statusReason', 'statusMessage', 'tags', 'config', 'credentialType', 'credential', 'accountInfo', 'tokenExpiresAt', 'lastSyncAt', 'lastSyncError', 'lastTestAt', 'lastTest', 'createdAt', 'updatedAt'];
const showConnection = (c: Connection) => fields(c, CONNECTION_FIELDS);

/** The credential options create and rotate share. */
const credentialed = (command: Command): Command =>
  command
    .option('--credential <name=value>', 'an auth field of the connector, e.g. apiKey=sk_… (value or @file; repeatable)', secretPair('--credential'))
    .option('--credentials <json>', 'all auth fields as a JSON object (or @file.json)', jsonObject('--credentials'))
    .option('--credential-reference <ref>', 'managed-vault connectors: env:NAME, file:path or vault:mount/path#field')
    .option('--rotation-owner <who>', 'who replaces the credential')
    .option('--rotate-every-days <n>', 'how often it should be replaced', whole('--rotate-every-days'));

function credentials(opts: Record<string, unknown>): Record<string, unknown> {
  const given = opts.credentials || opts.credential ? { ...(opts.credentials as object | undefined), ...(opts.credential as object | undefined) } : undefined;
  const rotation = opts.rotationOwner !== undefined || opts.rotateEveryDays !== undefined ? defined({ owner: opts.rotationOwner, everyDays: opts.rotateEveryDays }) : undefined;
  return defined({ credentials: given, credentialReference: opts.credentialReference, rotation });
}

const outcome = (t: Omit<TestAnswer, 'connection'>) => (t.ok ? 'ok' : `failed: ${[t.code, t.status, t.message].filter((v) => v !== undefined).join(' ')}${t.hint ? `\n  check: ${t.hint}` : ''}`);

export function connectionCommands(program: Command): void {
  const connections = program.command('connections').description('connections: end customers’ linked accounts, with their credentials and status');

  scoped(connections.command('list'))
    .description('connections of an environment, newest first')
    .option('--integration <id>', 'only this integration (int_…)')
    .option('--connector <key>', 'only this connector')
    .option('--end-customer <id>', 'only this end customer')
    .addOption(new Option('--status <status>', 'only this status').choices(['connected', 'syncing', 'error', 'disconnected']))
    .option('--tag <tag>', 'only connections with this tag')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('connections.list', { ...scopeArgs(opts), integration: opts.integration, connector: opts.connector, endCustomer: opts.endCustomer, status: opts.status, tag: opts.tag, limit: opts.limit, cursor: opts.cursor });
        print(result, !!opts.json, (r: { data: Connection[]; nextCursor: string | null }) =>
          [table(r.data, ['id', 'connectorKey', 'endCustomerId', 'status', 'lastSyncAt', 'lastTestAt', 'statusMessage']), ...(r.nextCursor ? [`more: --cursor ${r.nextCursor}`] : [])].join('\n'),
        );
      }),
    );

  scoped(connections.command('show <id>'))
    .description('one connection (never its credentials)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) => act(async () => print(await run('connections.show', { ...scopeArgs(opts), id }), !!opts.json, showConnection)));

  credentialed(scoped(connections.command('create')))
    .description('connect an account with an API key, basic credentials, a secret-store reference or the client credentials grant; tested against the provider before it is stored')
    .requiredOption('--integration <idOrKey>', 'the integration (int_… or its key)')
    .requiredOption('--end-customer <id>', 'your customer’s id')
    .option('--id <id>', 'your own id for the connection (conn_… when left out)')
    .option('--config <name=value>', 'a connection setting (repeatable)', pair('--config'))
    .option('--tags <list>', 'comma-separated tags', list)
    .option('--client-credentials', 'OAuth connectors: use the client credentials grant')
    .option('--no-test', 'store it untested')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const body = {
          integration: opts.integration,
          endCustomerId: opts.endCustomer,
          ...credentials(opts),
          ...defined({ id: opts.id, config: opts.config, tags: opts.tags, grantType: opts.clientCredentials ? 'client_credentials' : undefined, test: opts.test === false ? false : undefined }),
        };
        const result = await run('connections.create', { ...scopeArgs(opts), body });
        print(result, !!opts.json, (c: Connection) => `created ${c.id} (${String(c.connectorKey)}, ${c.status})`);
      }),
    );

  scoped(connections.command('test <id>'))
    .description('test the credential against the provider; the outcome is kept and applied to the status (exit code 1 when it fails)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = (await run('connections.test', { ...scopeArgs(opts), id })) as TestAnswer;
        print(result, !!opts.json, (t: TestAnswer) => `${id}: ${outcome(t)} (status ${t.connection.status})`);
        return result.ok ? 0 : 1;
      }),
    );

  credentialed(scoped(connections.command('rotate <id>')))
    .description('replace a connection’s credentials (a rotated key, a re-issued secret): tested against the provider first; the old ones stay in use until the new ones pass')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('connections.rotate', { ...scopeArgs(opts), id, body: credentials(opts) });
        print(result, !!opts.json, (c: Connection & { secretVersion: number | null }) => `replaced the credentials of ${c.id}${c.secretVersion === null ? '' : ` (version ${c.secretVersion})`}; status ${c.status}`);
      }),
    );

  scoped(connections.command('delete <id>'))
    .description('delete a connection and its credentials, revoking OAuth tokens at the provider where it can')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () =>
        print(await run('connections.delete', { ...scopeArgs(opts), id }), !!opts.json, (c: Connection & { revocation: { attempted: boolean; ok: boolean; error?: string } }) =>
          `deleted ${c.id}${c.revocation.attempted ? (c.revocation.ok ? '; its tokens were revoked at the provider' : `; revoking its tokens failed: ${c.revocation.error ?? 'unknown error'}`) : ''}`,
        ),
      ),
    );

  scoped(connections.command('actions <id>'))
    .description('what the connection’s connector does on request (e.g. the Email connector’s send), with each input schema')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () =>
        print(await run('connections.actions', { ...scopeArgs(opts), id }), !!opts.json, (r: { data: { name: string; description: string }[] }) =>
          r.data.length === 0 ? `${id}: its connector has no actions` : table(r.data, ['name', 'description']),
        ),
      ),
    );

  scoped(connections.command('run <id> <action>'))
    .description('run one of the connector’s actions with the connection’s credential; the input is checked against its schema before anything is sent; audited')
    .requiredOption('--input <json>', 'the action’s input as a JSON object (or @file.json)', jsonObject('--input'))
    .option('--json', 'machine-readable output')
    .action((id: string, action: string, opts: Record<string, unknown>) =>
      act(async () =>
        print(await run('connections.run', { ...scopeArgs(opts), id, action, body: opts.input }), !!opts.json, (r: { action: string; output: Record<string, unknown> }) => `${r.action} ran on ${id}\n${JSON.stringify(r.output, null, 2)}`),
      ),
    );
}
