#!/usr/bin/env node
/**
 * `patchbay` — serve the hub, migrate, bootstrap, manage keys and jobs, check health, rotate the
 * vault. Every command runs an operation (see runner.ts) and prints it for people or, with
 * --json, for scripts.
 */
import { Command } from 'commander';
import { run } from './runner.ts';
import { EXIT, print, table } from './output.ts';
import { act, fields, whole } from './kit.ts';
import { outboundCommands } from './commands/outbound.ts';
import { listenCommand } from './commands/listen.ts';
import { resourceCommands } from './commands/resources.ts';
import { alertCommands } from './commands/alerts.ts';
import { channelCommands } from './commands/channels.ts';
import type { Check } from '../hub/index.ts';

const program = new Command('patchbay')
  .description('Patchbay, the open-source integrations hub')
  .showHelpAfterError()
  .exitOverride();

program
  .command('serve')
  .description('run the hub: API, workers and dashboard (or one role of them)')
  .option('--role <role>', 'all | api | worker', 'all')
  .option('--port <port>', 'HTTP port (default: PORT or 4000)', whole('--port'))
  .action((opts: { role: string; port?: number }) => act(async () => (await import('./serve.ts')).serve(opts)));

program
  .command('migrate')
  .description('apply database migrations (also done at every start)')
  .option('--json', 'machine-readable output')
  .action((opts: { json?: boolean }) =>
    act(async () => print(await run('migrate', {}), !!opts.json, (r: { applied: number; total: number }) => `migrations: ${r.applied} applied, ${r.total} in all`)),
  );

program
  .command('init')
  .description('bootstrap a production instance: first organization, environments, owner and an admin key (printed once)')
  .requiredOption('--org <slug>', 'organization slug, e.g. acme')
  .requiredOption('--email <email>', 'the owner’s email')
  .option('--name <name>', 'organization display name')
  .option('--password <password>', 'the owner’s password (generated when absent)')
  .option('--environments <list>', 'comma-separated', 'dev,staging,prod')
  .option('--json', 'machine-readable output')
  .action((opts: Record<string, string | boolean>) =>
    act(async () => {
      const result = await run('init', { org: opts.org, email: opts.email, name: opts.name, password: opts.password, environments: opts.environments });
      print(result, !!opts.json, (r: { organization: string; environments: string[]; ownerEmail: string; ownerPassword: string; apiKey: string; apiKeyEnvironment: string }) =>
        [
          `Organization ${r.organization} created with environments ${r.environments.join(', ')}.`,
          `Owner: ${r.ownerEmail} / ${r.ownerPassword}`,
          `Admin API key (${r.apiKeyEnvironment}), shown once: ${r.apiKey}`,
        ].join('\n'),
      );
    }),
  );

const keys = program.command('keys').description('API keys');
keys
  .command('create')
  .description('create an API key; the key is printed once')
  .requiredOption('--org <slug>', 'organization')
  .requiredOption('--env <name>', 'environment')
  .option('--role <role>', 'owner | admin | developer | viewer')
  .option('--scopes <list>', 'comma-separated scopes instead of a role')
  .option('--name <name>', 'a label')
  .option('--json', 'machine-readable output (the key is under `key`)')
  .action((opts: Record<string, string | boolean>) =>
    act(async () => {
      const result = await run('keys.create', { org: opts.org, env: opts.env, role: opts.role, scopes: opts.scopes, name: opts.name });
      print(result, !!opts.json, (r: { key: string; id: string; scopes: string[] }) => `${r.key}\n(id ${r.id}; scopes ${r.scopes.join(' ')}; shown once — store it now)`);
    }),
  );
keys
  .command('list')
  .description('list API keys')
  .requiredOption('--org <slug>', 'organization')
  .option('--env <name>', 'environment')
  .option('--include-revoked', 'also revoked keys')
  .option('--json', 'machine-readable output')
  .action((opts: Record<string, string | boolean>) =>
    act(async () => {
      const result = await run('keys.list', { org: opts.org, env: opts.env, includeRevoked: !!opts.includeRevoked });
      print(result, !!opts.json, (r: Record<string, unknown>[]) => table(r, ['id', 'name', 'prefix', 'environment', 'role', 'lastUsedAt', 'revokedAt']));
    }),
  );
keys
  .command('revoke <id>')
  .description('revoke an API key, at once')
  .requiredOption('--org <slug>', 'organization')
  .option('--json', 'machine-readable output')
  .action((id: string, opts: Record<string, string | boolean>) =>
    act(async () => print(await run('keys.revoke', { org: opts.org, id }), !!opts.json, (r: { id: string }) => `revoked ${r.id}`)),
  );

const jobs = program.command('jobs').description('background jobs');
jobs
  .command('list')
  .description('list jobs, newest first')
  .option('--org <slug>', 'organization')
  .option('--env <name>', 'environment')
  .option('--state <state>', 'pending | running | failed')
  .option('--type <type>', 'job type')
  .option('--limit <n>', '1–200', whole('--limit'), 50)
  .option('--json', 'machine-readable output')
  .action((opts: Record<string, string | number | boolean>) =>
    act(async () => {
      const result = await run('jobs.list', { org: opts.org, env: opts.env, state: opts.state, type: opts.type, limit: opts.limit });
      print(result, !!opts.json, (r: { data: Record<string, unknown>[] }) => table(r.data, ['id', 'type', 'state', 'attempts', 'runAt', 'lastError']));
    }),
  );
jobs
  .command('retry <id>')
  .description('run a failed job again')
  .option('--json', 'machine-readable output')
  .action((id: string, opts: { json?: boolean }) => act(async () => print(await run('jobs.retry', { id }), !!opts.json, (r: { id: string }) => `job ${r.id} is pending again`)));

const inbound = program.command('inbound').description('inbound webhook events');
inbound
  .command('list')
  .description('list inbound events of an environment, newest first')
  .requiredOption('--org <slug>', 'organization')
  .requiredOption('--env <name>', 'environment')
  .option('--status <status>', 'received | rejected | duplicate | processing | processed | failed')
  .option('--source <id>', 'only this source')
  .option('--type <type>', 'only this provider event type')
  .option('--limit <n>', '1–200', whole('--limit'), 50)
  .option('--json', 'machine-readable output')
  .action((opts: Record<string, string | number | boolean>) =>
    act(async () => {
      const result = await run('inbound.list', { org: opts.org, env: opts.env, status: opts.status, source: opts.source, type: opts.type, limit: opts.limit });
      print(result, !!opts.json, (r: { data: Record<string, unknown>[] }) => table(r.data, ['id', 'sourceId', 'status', 'eventType', 'attempts', 'receivedAt', 'lastError']));
    }),
  );
inbound
  .command('show <id>')
  .description('one inbound event with its headers and body')
  .option('--json', 'machine-readable output')
  .action((id: string, opts: { json?: boolean }) =>
    act(async () => {
      const result = await run('inbound.show', { id });
      print(result, !!opts.json, (r: Record<string, unknown>) =>
        [
          fields({ ...r, body: `(${String(r.bodySize)} bytes, ${String(r.bodyEncoding)})` }, ['id', 'sourceId', 'status', 'method', 'path', 'receivedAt', 'providerEventId', 'eventType', 'connectionId', 'attempts', 'lastError', 'rejectionReason', 'processingMs', 'headers', 'body']),
          String(r.body),
        ].join('\n'),
      );
    }),
  );
inbound
  .command('reprocess [id]')
  .description('process an event again, or every event matching --status/--source/--type (admin only through the API)')
  .option('--org <slug>', 'organization (for a bulk reprocess)')
  .option('--env <name>', 'environment (for a bulk reprocess)')
  .option('--status <status>', 'processed | failed | duplicate')
  .option('--source <id>', 'only this source')
  .option('--type <type>', 'only this provider event type')
  .option('--limit <n>', '1–1000', whole('--limit'), 100)
  .option('--json', 'machine-readable output')
  .action((id: string | undefined, opts: Record<string, string | number | boolean>) =>
    act(async () => {
      const result = await run('inbound.reprocess', { id, org: opts.org, env: opts.env, status: opts.status, source: opts.source, type: opts.type, limit: opts.limit });
      print(result, !!opts.json, (r: { count: number }) => `${r.count} event(s) queued for processing again`);
    }),
  );

program
  .command('doctor')
  .description('check configuration, database, migrations, lock, clock and credentials')
  .option('--json', 'machine-readable output')
  .action((opts: { json?: boolean }) =>
    act(async () => {
      const result = (await run('doctor', {})) as { ok: boolean; checks: Check[] };
      print(result, !!opts.json, (r: typeof result) => r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(13)} ${c.detail}`).join('\n'));
      return result.ok ? EXIT.ok : EXIT.checkFailed;
    }),
  );

const vault = program.command('vault').description('the credential vault');
vault
  .command('rotate')
  .description('re-wrap every data key under the current master key (the first of PATCHBAY_SECRET_KEYS), while the hub serves')
  .option('--batch-size <n>', 'rows per transaction', whole('--batch-size'), 100)
  .option('--json', 'machine-readable output')
  .action((opts: { batchSize: number; json?: boolean }) =>
    act(async () => {
      const report = (await run('vault.rotate', { batchSize: opts.batchSize })) as { currentKeyId: string; rewrapped: number; failed: string[]; remaining: number; keysInUse: Record<string, number> };
      print(report, !!opts.json, (r: typeof report) =>
        [
          `re-wrapped ${r.rewrapped} secret(s) under ${r.currentKeyId}; ${r.remaining} remaining; ${r.failed.length} failed`,
          `keys in use: ${Object.entries(r.keysInUse).map(([k, n]) => `${k} (${n})`).join(', ') || 'none'} — a configured key not listed here can be dropped`,
        ].join('\n'),
      );
      return report.failed.length === 0 && report.remaining === 0 ? EXIT.ok : EXIT.failure;
    }),
  );

outboundCommands(program);
listenCommand(program);
resourceCommands(program);
alertCommands(program);
channelCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // commander already printed what was wrong with the arguments.
  const code = (err as { exitCode?: number; code?: string }).code;
  process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' ? EXIT.ok : EXIT.usage;
}
