/** `patchbay channels list|test`: notification channels and their test message. */
import type { Command } from 'commander';
import { run } from '../runner.ts';
import { EXIT, print, table } from '../output.ts';
import { act, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';

export function channelCommands(program: Command): void {
  const channels = program.command('channels').description('notification channels: where alerts are sent');
  scoped(channels.command('list'))
    .description('channels, with the last failure of each')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('channels.list', { ...scopeArgs(opts), limit: opts.limit });
        print(result, !!opts.json, (r: { data: Record<string, unknown>[] }) => table(r.data, ['id', 'name', 'type', 'enabled', 'status', 'lastError']));
      }),
    );
  scoped(channels.command('test <id>'))
    .description('send a test notification now (exit code 4 when it fails)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = (await run('channels.test', { ...scopeArgs(opts), id })) as { ok: boolean; error: string | null };
        print(result, !!opts.json, (r: typeof result) => (r.ok ? `test notification sent through ${id}` : `the test notification failed: ${r.error}`));
        return result.ok ? EXIT.ok : EXIT.checkFailed;
      }),
    );
}
