/** `patchbay records list|show`: what syncs wrote, per connection and model. */
import type { Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, fields, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';

type Change = Record<string, unknown> & { externalId: string; data: Record<string, unknown> };

export function recordCommands(program: Command): void {
  const records = program.command('records').description('records: synced objects (contacts, charges…), versioned');

  scoped(records.command('list <connectionId>'))
    .description('records of a connection as they last changed, oldest change first; page on with --cursor')
    .option('--model <model>', 'only this model, e.g. contacts')
    .option('--cursor <cursor>', 'the nextCursor of the previous page: what changed since')
    .option('--limit <n>', '1–1000', whole('--limit'), 100)
    .option('--json', 'machine-readable output')
    .action((connection: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('records.list', { ...scopeArgs(opts), connection, model: opts.model, cursor: opts.cursor, limit: opts.limit });
        print(result, !!opts.json, (r: { data: Change[]; nextCursor: string; hasMore: boolean }) =>
          [
            table(
              r.data.map((c) => ({ ...c, data: JSON.stringify(c.data).slice(0, 80) })),
              ['model', 'externalId', 'change', 'version', 'lastSeenAt', 'data'],
            ),
            r.hasMore ? `more: --cursor ${r.nextCursor}` : `up to date; what changes next: --cursor ${r.nextCursor}`,
          ].join('\n'),
        );
      }),
    );

  scoped(records.command('show <connectionId> <model> <externalId>'))
    .description('one record, with its earlier versions (newest first)')
    .option('--json', 'machine-readable output')
    .action((connection: string, model: string, externalId: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('records.show', { ...scopeArgs(opts), connection, model, externalId });
        print(result, !!opts.json, (r: Record<string, unknown> & { versions: Record<string, unknown>[] }) =>
          [fields(r, ['externalId', 'connectionId', 'model', 'version', 'lastChange', 'deletedAt', 'firstSeenAt', 'lastSeenAt', 'providerUpdatedAt', 'pendingFields', 'data']), '', 'earlier versions:', table(r.versions.map((v) => ({ ...v, data: JSON.stringify(v.data).slice(0, 80) })), ['version', 'replacedAt', 'replacedByRunId', 'deletedAt', 'data'])].join('\n'),
        );
      }),
    );
}
