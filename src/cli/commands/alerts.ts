/** `patchbay alerts list|ack|resolve|snooze` and `patchbay health`. */
import { Option, type Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, fields, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';

type Alert = Record<string, unknown> & { id: string; status: string };
const ALERT_FIELDS = ['id', 'status', 'severity', 'rule', 'title', 'message', 'subjectType', 'subjectId', 'openedAt', 'acknowledgedBy', 'snoozedUntil', 'resolvedAt', 'resolvedBy'];

export function alertCommands(program: Command): void {
  const alerts = program.command('alerts').description('alerts: open, acknowledge, resolve, snooze');
  scoped(alerts.command('list'))
    .description('alerts, newest first')
    .addOption(new Option('--status <status>', 'only these').choices(['open', 'acknowledged', 'snoozed', 'resolved', 'unresolved']))
    .addOption(new Option('--severity <severity>', 'only these').choices(['info', 'warning', 'critical']))
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('alerts.list', { ...scopeArgs(opts), status: opts.status, severity: opts.severity, limit: opts.limit });
        print(result, !!opts.json, (r: { data: Alert[] }) => table(r.data, ['id', 'status', 'severity', 'rule', 'subjectId', 'openedAt', 'title']));
      }),
    );
  for (const [name, operation, done] of [
    ['ack', 'alerts.ack', 'acknowledged'],
    ['resolve', 'alerts.resolve', 'resolved'],
  ] as const) {
    scoped(alerts.command(`${name} <id>`))
      .description(`${done === 'acknowledged' ? 'acknowledge' : 'resolve'} an alert (its channels hear of it)`)
      .option('--note <text>', 'kept in the timeline')
      .option('--json', 'machine-readable output')
      .action((id: string, opts: Record<string, unknown>) => act(async () => print(await run(operation, { ...scopeArgs(opts), id, note: opts.note }), !!opts.json, (a: Alert) => `alert ${a.id} ${done}`)));
  }
  scoped(alerts.command('snooze <id>'))
    .description('snooze an alert; it opens again afterwards if its cause remains')
    .option('--minutes <n>', 'for this long', whole('--minutes'))
    .option('--until <time>', 'until this instant, e.g. 2026-11-22T08:00:00Z')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => print(await run('alerts.snooze', { ...scopeArgs(opts), id, minutes: opts.minutes, until: opts.until }), !!opts.json, (a: Alert) => fields(a, ALERT_FIELDS))),
    );

  scoped(program.command('health'))
    .description("connections' health checks: status, last outcome, the last day's p95 and availability")
    .option('--integration <key>', 'only this integration (key or id)')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('health', { ...scopeArgs(opts), integration: opts.integration });
        print(result, !!opts.json, (r: { data: Record<string, unknown>[] }) =>
          table(
            r.data.map((row) => ({ ...row, availability24h: row.availability24h === null ? null : `${((row.availability24h as number) * 100).toFixed(2)} %` })),
            ['connectionId', 'integration', 'status', 'lastOutcome', 'consecutiveFailures', 'checks24h', 'p95Ms24h', 'availability24h', 'healthy24h'],
          ),
        );
      }),
    );
}
