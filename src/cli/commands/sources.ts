/** `patchbay sources list|show|create|rotate-secret|delete`: inbound webhook URLs and their verification. */
import type { Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, defined, fields, jsonObject, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';
import { pair, secret } from './values.ts';

type Source = Record<string, unknown> & { id: string; name: string; url: string; verification: { type?: string } | null; unverified?: boolean };

const SOURCE_FIELDS = ['id', 'name', 'url', 'connector', 'integrationId', 'verification', 'unverified', 'settings', 'allowedIps', 'toleranceSeconds', 'allowedMethods', 'maxBodyBytes', 'dedupeWindowSeconds', 'eventIdHeader', 'eventIdPointer', 'action', 'filters', 'secretCount', 'disabled', 'createdAt', 'updatedAt'];

export function sourceCommands(program: Command): void {
  const sources = program.command('sources').description('sources: inbound webhook URLs for a provider or a generic sender, with their verification');

  scoped(sources.command('list'))
    .description('sources of an environment, newest first')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('sources.list', { ...scopeArgs(opts), limit: opts.limit, cursor: opts.cursor });
        print(result, !!opts.json, (r: { data: Source[]; nextCursor: string | null }) =>
          [
            table(
              r.data.map((s) => ({ ...s, verification: s.unverified ? 'none (UNVERIFIED: accepts any request)' : s.connector ? `${String(s.connector)} signature` : (s.verification?.type ?? 'none') })),
              ['id', 'name', 'connector', 'verification', 'disabled', 'url'],
            ),
            ...(r.nextCursor ? [`more: --cursor ${r.nextCursor}`] : []),
          ].join('\n'),
        );
      }),
    );

  scoped(sources.command('show <id>'))
    .description('one source (never its secrets)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) => act(async () => print(await run('sources.show', { ...scopeArgs(opts), id }), !!opts.json, (s: Source) => fields(s, SOURCE_FIELDS))));

  scoped(sources.command('create'))
    .description('create a source; give its URL to the provider. A preset (--connector stripe) verifies the way the provider signs; a generic source takes --verification')
    .requiredOption('--name <name>', 'what it receives')
    .option('--connector <key>', 'a connector that sends webhooks (stripe, github, …); none for a generic source')
    .option('--secret <secret>', 'the signing secret (or password, token), or @file; never shown again', secret('--secret'))
    .option('--verification <json>', 'generic sources: {"type": "hmac", "header", "algorithm", "encoding", …} | {"type": "header", "header"} | {"type": "basic", "username"} | {"type": "none"} (or @file.json)', jsonObject('--verification'))
    .option('--unverified', 'generic sources: accept any request (verification none); anyone who learns the URL can send events')
    .option('--allow-unverified', 'with --unverified in a production environment: yes, really')
    .option('--integration <id>', 'the integration its events belong to')
    .option('--setting <name=value>', 'a preset setting (repeatable)', pair('--setting'))
    .option('--action <json>', 'what to do with each event: {"type": "forward", "eventType"} | {"type": "sync"} | {"type": "none"} (or @file.json)', jsonObject('--action'))
    .option('--event-id-header <name>', 'the header that carries the sender’s event id (for deduplication)')
    .option('--event-id-pointer <pointer>', 'or where the body carries it, e.g. /id')
    .option('--tolerance <seconds>', 'how old a signed timestamp may be', whole('--tolerance'))
    .option('--max-body <bytes>', 'largest body accepted', whole('--max-body'))
    .option('--disabled', 'create it disabled')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const body = defined({
          name: opts.name,
          connector: opts.connector,
          secret: opts.secret,
          verification: opts.unverified ? { type: 'none' } : opts.verification,
          allowUnverified: opts.allowUnverified ? true : undefined,
          integrationId: opts.integration,
          settings: opts.setting,
          action: opts.action,
          eventIdHeader: opts.eventIdHeader,
          eventIdPointer: opts.eventIdPointer,
          toleranceSeconds: opts.tolerance,
          maxBodyBytes: opts.maxBody,
          disabled: opts.disabled ? true : undefined,
        });
        const result = await run('sources.create', { ...scopeArgs(opts), body });
        print(result, !!opts.json, (s: Source) => `created ${s.id} (${s.name})${s.unverified ? ', UNVERIFIED: it accepts any request' : ''}\ngive the sender this URL: ${s.url}`);
      }),
    );

  scoped(sources.command('rotate-secret <id>'))
    .description('replace the signing secret; the previous ones stay valid for a while, for the sender to switch over')
    .requiredOption('--secret <secret>', 'the new secret, or @file', secret('--secret'))
    .option('--keep-previous <seconds>', 'how long the previous secrets stay valid (0 drops them at once; 24 h by default)', whole('--keep-previous'))
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const body = defined({ secret: opts.secret, keepPreviousSecretsForSeconds: opts.keepPrevious });
        print(await run('sources.update', { ...scopeArgs(opts), id, body }), !!opts.json, (s: Source) => `rotated the secret of ${s.id}: ${String(s.secretCount)} secret(s) valid now`);
      }),
    );

  scoped(sources.command('delete <id>'))
    .description('delete a source, its secrets and its events')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) => act(async () => print(await run('sources.delete', { ...scopeArgs(opts), id }), !!opts.json, () => `deleted ${id}`)));
}
