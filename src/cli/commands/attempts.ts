/**
 * `patchbay attempts list|resend|failed|retry`: the delivery log, resending one message to one
 * endpoint, and dead letters (deliveries that failed for good) listed and retried in bulk.
 */
import type { Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, defined, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';

/** The dead-letter filter both `failed` and `retry` take. */
const filtered = (command: Command): Command =>
  scoped(command)
    .option('--endpoint <id>', 'only this endpoint')
    .option('--type <type>', 'only this event type')
    .option('--since <time>', 'messages created at or after (ISO 8601)')
    .option('--until <time>', 'messages created at or before (ISO 8601)');

const filterBody = (opts: Record<string, unknown>) => defined({ endpointId: opts.endpoint, eventType: opts.type, since: opts.since, until: opts.until });

export function attemptCommands(program: Command): void {
  const attempts = program.command('attempts').description('delivery attempts, resends and dead letters (outbound webhooks)');

  scoped(attempts.command('list <messageId>'))
    .description('every attempt of a message, oldest first: status, latency, error class, next attempt')
    .option('--endpoint <id>', 'only attempts at this endpoint')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--json', 'machine-readable output (with response headers and the first 4 KiB of each body)')
    .action((message: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('attempts.list', { ...scopeArgs(opts), message, endpoint: opts.endpoint, limit: opts.limit });
        print(result, !!opts.json, (r: { data: Record<string, unknown>[] }) => table(r.data, ['attempt', 'endpointId', 'trigger', 'startedAt', 'statusCode', 'durationMs', 'errorClass', 'nextAttemptAt']));
      }),
    );

  scoped(attempts.command('resend <messageId> <endpointId>'))
    .description('send a message to one endpoint again: same webhook-id, a fresh retry schedule')
    .option('--json', 'machine-readable output')
    .action((message: string, endpoint: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('attempts.resend', { ...scopeArgs(opts), message, endpoint });
        print(result, !!opts.json, (d: { messageId: string; endpointId: string; state: string }) => `${d.messageId} is ${d.state} for ${d.endpointId} again`);
      }),
    );

  filtered(attempts.command('failed'))
    .description('dead letters: deliveries that failed for good, newest message first')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('attempts.failed', { ...scopeArgs(opts), body: filterBody(opts), limit: opts.limit });
        print(result, !!opts.json, (r: { data: Record<string, unknown>[] }) => table(r.data, ['messageId', 'endpointId', 'eventType', 'attempts', 'lastStatusCode', 'lastError', 'updatedAt']));
      }),
    );

  filtered(attempts.command('retry'))
    .description('retry the dead letters matching the filter (of enabled endpoints), each with a fresh schedule')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('attempts.retry', { ...scopeArgs(opts), body: filterBody(opts) });
        print(result, !!opts.json, (r: { retried: number }) => `${r.retried} dead letter(s) queued again`);
      }),
    );
}
