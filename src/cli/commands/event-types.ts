/** `patchbay event-types …`: the types events are published as, with their JSON schemas. */
import type { Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, defined, fields, jsonObject, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';

type EventType = Record<string, unknown> & { name: string; schemaVersion: number; archived: boolean };
const showType = (t: EventType) => fields(t, ['name', 'description', 'schemaVersion', 'builtIn', 'archived', 'schema', 'example', 'createdAt', 'updatedAt']);

/** The options create and update share. */
const described = (command: Command): Command =>
  command
    .option('--description <text>', 'what the event means')
    .option('--schema <json>', 'JSON Schema of `data` (or @schema.json); a change becomes the next schemaVersion', jsonObject('--schema'))
    .option('--example <json>', 'an example `data` (or @example.json), sent by `endpoints test`', jsonObject('--example'));

export function eventTypeCommands(program: Command): void {
  const types = program.command('event-types').description('event types: what events are published as, with a versioned JSON schema');

  scoped(types.command('list'))
    .description('the built-in types and this environment’s own')
    .option('--include-archived', 'also archived types')
    .option('--limit <n>', '1–250 of this environment’s own', whole('--limit'), 50)
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('event-types.list', { ...scopeArgs(opts), includeArchived: !!opts.includeArchived, limit: opts.limit });
        print(result, !!opts.json, (r: { data: EventType[] }) => table(r.data, ['name', 'schemaVersion', 'builtIn', 'archived', 'description']));
      }),
    );

  scoped(types.command('show <name>'))
    .description('one event type with its current schema')
    .option('--json', 'machine-readable output')
    .action((name: string, opts: Record<string, unknown>) => act(async () => print(await run('event-types.show', { ...scopeArgs(opts), name }), !!opts.json, showType)));

  described(scoped(types.command('create <name>')))
    .description('create an event type, e.g. invoice.paid')
    .option('--json', 'machine-readable output')
    .action((name: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('event-types.create', { ...scopeArgs(opts), body: { name, ...defined({ description: opts.description, schema: opts.schema, example: opts.example }) } });
        print(result, !!opts.json, (t: EventType) => `created ${t.name} (schema version ${t.schemaVersion})`);
      }),
    );

  described(scoped(types.command('update <name>')))
    .description('change an event type (a new schema becomes the next version; earlier versions are kept)')
    .option('--json', 'machine-readable output')
    .action((name: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('event-types.update', { ...scopeArgs(opts), name, body: defined({ description: opts.description, schema: opts.schema, example: opts.example }) });
        print(result, !!opts.json, showType);
      }),
    );

  scoped(types.command('archive <name>'))
    .description('archive an event type: publishing it is refused, its history stays')
    .option('--json', 'machine-readable output')
    .action((name: string, opts: Record<string, unknown>) =>
      act(async () => print(await run('event-types.update', { ...scopeArgs(opts), name, body: { archived: true } }), !!opts.json, (t: EventType) => `archived ${t.name}`)),
    );
}
