/**
 * `patchbay endpoints …`: register, change and operate the URLs events are delivered to — list,
 * show, create, update, enable, disable, delete, secret, rotate-secret, test, recover, stats.
 */
import { Option, type Command } from 'commander';
import { run } from '../runner.ts';
import { print, table } from '../output.ts';
import { act, decimal, defined, fields, header, jsonObject, list, whole } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';

type Endpoint = Record<string, unknown> & { id: string; url: string; enabled: boolean };

const ENDPOINT_FIELDS = ['id', 'url', 'description', 'enabled', 'disabledReason', 'eventTypes', 'channels', 'filter', 'headers', 'signatureType', 'timeoutMs', 'rateLimit', 'maxConcurrency', 'fifo', 'retryConfig', 'createdAt', 'updatedAt'];

/** The options create and update share; each becomes the API body field of the same meaning. */
function settable(command: Command): Command {
  return command
    .option('--description <text>', 'what it is for')
    .option('--events <list>', 'comma-separated event types to receive (`sync.*` matches a prefix); all when absent', list)
    .option('--channels <list>', 'receive only messages on these channels', list)
    .option('--filter <json>', 'payload filter over data, e.g. \'{"amount": {"$gte": 100}}\' (or @file.json)', jsonObject('--filter'))
    .option('--header <name=value>', 'a header sent with every attempt (repeatable)', header)
    .option('--timeout <ms>', 'per attempt (100–60000; 10000 by default)', whole('--timeout'))
    .option('--rate-limit <n>', 'messages per second at most', whole('--rate-limit'))
    .option('--max-concurrency <n>', 'requests in flight at once', whole('--max-concurrency'))
    .option('--fifo', 'strict order: each message waits for the previous one (a failing message holds back the rest)')
    .addOption(new Option('--retry <strategy>', 'retry schedule').choices(['default', 'linear', 'exponential', 'explicit']))
    .option('--max-retries <n>', 'retries after the first attempt', whole('--max-retries'))
    .option('--retry-delay <seconds>', 'base delay for linear and exponential', decimal('--retry-delay'))
    .option('--schedule <seconds>', 'explicit delays in seconds, comma-separated', (v: string) => list(v).map((s) => decimal('--schedule')(s)));
}

function settings(opts: Record<string, unknown>): Record<string, unknown> {
  const retryGiven = [opts.retry, opts.maxRetries, opts.retryDelay, opts.schedule].some((v) => v !== undefined);
  return defined({
    description: opts.description,
    eventTypes: opts.allEvents ? null : opts.events,
    channels: opts.allChannels ? null : opts.channels,
    filter: opts.noFilter ? null : opts.filter,
    headers: opts.header,
    timeoutMs: opts.timeout,
    rateLimit: opts.noRateLimit ? null : opts.rateLimit,
    maxConcurrency: opts.maxConcurrency,
    fifo: opts.fifo,
    retryConfig: retryGiven
      ? defined({ backoffStrategy: opts.retry ?? (opts.schedule ? 'explicit' : 'default'), maxRetries: opts.maxRetries, retryDelay: opts.retryDelay, schedule: opts.schedule })
      : undefined,
  });
}

const showEndpoint = (e: Endpoint) => fields(e, ENDPOINT_FIELDS);

export function endpointCommands(program: Command): void {
  const endpoints = program.command('endpoints').description('endpoints: the URLs events are delivered to (outbound webhooks)');

  scoped(endpoints.command('list'))
    .description('endpoints of an environment')
    .option('--limit <n>', '1–250', whole('--limit'), 50)
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('endpoints.list', { ...scopeArgs(opts), limit: opts.limit });
        print(result, !!opts.json, (r: { data: Endpoint[] }) => table(r.data, ['id', 'url', 'enabled', 'eventTypes', 'signatureType', 'description']));
      }),
    );

  scoped(endpoints.command('show <id>'))
    .description('one endpoint')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) => act(async () => print(await run('endpoints.show', { ...scopeArgs(opts), id }), !!opts.json, showEndpoint)));

  settable(scoped(endpoints.command('create')))
    .description('register an endpoint; its signing secret is generated and kept in the vault (see `endpoints secret`)')
    .requiredOption('--url <url>', 'where to deliver (https; http only in dev)')
    .addOption(new Option('--signature <type>', 'v1 (HMAC-SHA256) or v1a (ed25519)').choices(['v1', 'v1a']))
    .option('--disabled', 'create it disabled')
    .option('--json', 'machine-readable output')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const body = { url: opts.url, ...settings(opts), ...defined({ signatureType: opts.signature, enabled: opts.disabled ? false : undefined }) };
        const result = await run('endpoints.create', { ...scopeArgs(opts), body });
        print(result, !!opts.json, (e: Endpoint) => `created ${e.id} for ${e.url}\nreveal its signing secret with: patchbay endpoints secret ${e.id}`);
      }),
    );

  settable(scoped(endpoints.command('update <id>')))
    .description('change an endpoint (only the options given)')
    .option('--url <url>', 'a new URL')
    .option('--no-fifo', 'deliver in parallel again')
    .option('--all-events', 'receive every event type')
    .option('--all-channels', 'receive every channel')
    .option('--no-filter', 'drop the payload filter')
    .option('--no-rate-limit', 'drop the rate limit')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        // commander turns --no-x into x: false; say which ones mean "remove".
        const cleared = { ...opts, noFilter: opts.filter === false, noRateLimit: opts.rateLimit === false, filter: opts.filter === false ? undefined : opts.filter, rateLimit: opts.rateLimit === false ? undefined : opts.rateLimit };
        const body = { ...settings(cleared), ...defined({ url: opts.url }) };
        const result = await run('endpoints.update', { ...scopeArgs(opts), id, body });
        print(result, !!opts.json, showEndpoint);
      }),
    );

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    scoped(endpoints.command(`${name} <id>`))
      .description(enabled ? 'enable an endpoint (its failure streak starts over)' : 'disable an endpoint (what is pending for it is dead-lettered)')
      .option('--json', 'machine-readable output')
      .action((id: string, opts: Record<string, unknown>) =>
        act(async () => print(await run('endpoints.update', { ...scopeArgs(opts), id, body: { enabled } }), !!opts.json, (e: Endpoint) => `${e.id} is ${e.enabled ? 'enabled' : 'disabled'}`)),
      );
  }

  scoped(endpoints.command('delete <id>'))
    .description('delete an endpoint with its delivery history and secret')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) => act(async () => print(await run('endpoints.delete', { ...scopeArgs(opts), id }), !!opts.json, (e: Endpoint) => `deleted ${e.id} (${e.url})`)));

  scoped(endpoints.command('secret <id>'))
    .description('reveal the signing secret (v1: whsec_…; v1a: the whpk_ public key); audited')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => print(await run('endpoints.secret', { ...scopeArgs(opts), id }), !!opts.json, (s: { signatureType: string; secret: string | null; publicKey: string | null }) => String(s.secret ?? s.publicKey))),
    );

  scoped(endpoints.command('rotate-secret <id>'))
    .description('rotate the signing secret; the previous one keeps signing too during a grace period')
    .option('--grace-hours <hours>', 'how long both secrets sign (0–720; 24 by default)', decimal('--grace-hours'))
    .addOption(new Option('--signature <type>', 'switch to v1 (HMAC-SHA256) or v1a (ed25519)').choices(['v1', 'v1a']))
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('endpoints.rotate-secret', { ...scopeArgs(opts), id, body: defined({ gracePeriodHours: opts.graceHours, signatureType: opts.signature }) });
        print(result, !!opts.json, (e: Endpoint & { previousSecretExpiresAt: string | null }) =>
          e.previousSecretExpiresAt ? `rotated; the previous secret also signs until ${e.previousSecretExpiresAt}` : 'rotated; the previous secret no longer signs',
        );
      }),
    );

  scoped(endpoints.command('test <id>'))
    .description('send a test message to this endpoint only (webhook.test with its example unless --type)')
    .option('--type <type>', 'an event type of this environment')
    .option('--data <json>', 'the data to send (or @file.json); the type’s example by default', jsonObject('--data'))
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('endpoints.test', { ...scopeArgs(opts), id, body: defined({ eventType: opts.type, data: opts.data }) });
        print(result, !!opts.json, (m: { id: string; type: string }) => `sent test message ${m.id} (${m.type}) to ${id}`);
      }),
    );

  scoped(endpoints.command('recover <id>'))
    .description('resend everything that failed for this endpoint since a time')
    .requiredOption('--since <time>', 'messages created at or after (ISO 8601)')
    .option('--until <time>', '…and at or before')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('endpoints.recover', { ...scopeArgs(opts), id, body: defined({ since: opts.since, until: opts.until }) });
        print(result, !!opts.json, (r: { recovered: number }) => `${r.recovered} message(s) queued again for ${id}`);
      }),
    );

  scoped(endpoints.command('stats <id>'))
    .description('success rate, latency p50/p95, deliveries by state and recent errors (last 24 h unless --since)')
    .option('--since <time>', 'attempts started at or after (ISO 8601)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: Record<string, unknown>) =>
      act(async () => {
        const result = await run('endpoints.stats', { ...scopeArgs(opts), id, since: opts.since });
        print(result, !!opts.json, (s: { since: string; attempts: number; succeeded: number; successRate: number | null; latencyMs: { p50: number | null; p95: number | null }; deliveries: Record<string, number>; recentErrors: Record<string, unknown>[] }) =>
          [
            `since ${s.since}: ${s.attempts} attempt(s), ${s.succeeded} succeeded${s.successRate === null ? '' : ` (${(s.successRate * 100).toFixed(1)} %)`}`,
            `latency p50 ${s.latencyMs.p50 ?? '-'} ms, p95 ${s.latencyMs.p95 ?? '-'} ms`,
            `deliveries: ${Object.entries(s.deliveries).map(([k, n]) => `${k} ${n}`).join(', ')}`,
            s.recentErrors.length ? `recent errors:\n${table(s.recentErrors, ['at', 'messageId', 'attempt', 'statusCode', 'errorClass', 'error'])}` : 'no recent errors',
          ].join('\n'),
        );
      }),
    );
}
