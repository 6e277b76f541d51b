/** `patchbay events send|list|show`: publish an event and read what became of it. */
import type { Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, defined, fields, jsonObject, list, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';

interface Message {
  id: string;
  eventId: string | null;
  type: string;
  createdAt: string;
  duplicate?: boolean;
  deliveries?: Record<string, unknown>[];
}

export function eventCommands(program: Command): void {
  const events = program.command('events').description('events published to endpoints (outbound webhooks)');

  scoped(events.command('send'))
    .description('publish an event: it is checked against its type’s schema and fanned out to matching endpoints')
    .requiredOption('--type <type>', 'event type, e.g. invoice.paid')
    .requiredOption('--data <json>', 'the event’s data: a JSON object, or @file.json', jsonObject('--data'))
    .option('--event-id <id>', 'your id for the event: sending it again returns the first message')
    .option('--channels <list>', 'comma-separated channels', list)
    .option('--occurred-at <time>', 'when it happened (ISO 8601); now by default')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const body = defined({ type: opts.type, data: opts.data, eventId: opts.eventId, channels: opts.channels, occurredAt: opts.occurredAt });
        const result = await run('events.send', { ...scopeArgs(opts), body });
        print(result, !!opts.json, (m: Message) => (m.duplicate ? `${m.id} (${m.type}) was already published with event id ${String(m.eventId)}: nothing new sent` : `published ${m.id} (${m.type})`));
      }),
    );

  scoped(events.command('list'))
    .description('published messages, newest first')
    .option('--type <type>', 'only this event type')
    .option('--channel <channel>', 'only this channel')
    .option('--since <time>', 'created at or after (ISO 8601)')
    .option('--until <time>', 'created at or before (ISO 8601)')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('events.list', { ...scopeArgs(opts), type: opts.type, channel: opts.channel, since: opts.since, until: opts.until, limit: opts.limit });
        print(result, !!opts.json, (r: { data: Record<string, unknown>[] }) => table(r.data, ['id', 'type', 'eventId', 'createdAt']));
      }),
    );

  scoped(events.command('show <id>'))
    .description('one message (by msg_ id, or your event id with --org/--env) with its state at each endpoint')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('events.show', { ...scopeArgs(opts), id });
        print(result, !!opts.json, (m: Message & Record<string, unknown>) =>
          [fields(m, ['id', 'eventId', 'type', 'schemaVersion', 'occurredAt', 'channels', 'createdAt', 'data']), '', table(m.deliveries ?? [], ['endpointId', 'state', 'attempts', 'lastStatusCode', 'nextAttemptAt', 'lastError'])].join('\n'),
        );
      }),
    );
}
