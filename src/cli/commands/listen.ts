/**
 * `patchbay listen --forward-to http://localhost:3000/hooks`: develop against Patchbay the way
 * `stripe listen` works. The hub streams this environment's messages (server-sent events) to a
 * temporary endpoint; each is printed and forwarded, signed, to the local URL — nothing has to
 * reach the developer's machine from outside.
 *
 * Against a remote hub it uses PATCHBAY_URL and PATCHBAY_API_KEY. On the machine of an embedded
 * hub (`npm start`) it asks the hub over its socket for its address and a key made for this
 * session, and revokes that key when the session ends.
 */
import type { Command } from 'commander';
// The client file alone: the outbound module's barrel would load the whole delivery engine.
import { listen, type ForwardResult } from '../../webhooks/outbound/listen-client.ts';
import { OperationError } from '../../hub/client.ts';
import { cliConfig, run } from '../runner.ts';
import { act, list } from '../kit.ts';
import { scopeArgs, scoped } from './scope.ts';

interface Target {
  url: string;
  apiKey: string;
  /** Revokes a key made for this session. */
  release?: () => Promise<void>;
}

async function target(opts: Record<string, unknown>): Promise<Target> {
  const config = cliConfig();
  if (config.remoteUrl) {
    if (!config.remoteApiKey) throw new OperationError('PATCHBAY_URL is set but PATCHBAY_API_KEY is not.', 400, 2);
    return { url: config.remoteUrl, apiKey: config.remoteApiKey };
  }
  const session = (await run('listen.session', scopeArgs(opts), config)) as { url: string; key: string; keyId: string };
  return { url: session.url, apiKey: session.key, release: async () => void (await run('keys.revoke', { org: opts.org, id: session.keyId }, config)) };
}

function forwardURL(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OperationError(`--forward-to must be a URL, e.g. http://localhost:3000/hooks (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OperationError('--forward-to must be an http:// or https:// URL');
  return url.toString();
}

export function listenCommand(program: Command): void {
  scoped(program.command('listen'))
    .description('stream this environment’s messages and forward each, signed, to a local URL (like `stripe listen`)')
    .requiredOption('--forward-to <url>', 'where to POST each message, e.g. http://localhost:3000/hooks')
    .option('--events <list>', 'comma-separated event types (`sync.*` matches a prefix); all by default', list)
    .option('--channels <list>', 'only messages on these channels', list)
    .option('--json', 'one JSON line per event (ready, then each forward)')
    .action((opts: Record<string, unknown>) =>
      act(async () => {
        const forwardTo = forwardURL(String(opts.forwardTo));
        const json = !!opts.json;
        const out = (line: unknown) => process.stdout.write(`${json ? JSON.stringify(line) : String(line)}\n`);
        const { url, apiKey, release } = await target(opts);
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        // `on`, not `once`: a second Ctrl-C while the session winds down must not kill the process
        // before its session key is revoked.
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const session = await listen({
            url,
            apiKey,
            forwardTo,
            eventTypes: opts.events as string[] | undefined,
            channels: opts.channels as string[] | undefined,
            label: `patchbay listen → ${forwardTo}`,
            signal: stop.signal,
            onReady: ({ endpointId, secret }) =>
              out(json ? { event: 'ready', endpointId, secret, forwardTo } : `Ready. Forwarding ${url} messages to ${forwardTo} (endpoint ${endpointId}).\nYour webhook signing secret is ${secret} — press Ctrl-C to stop.`),
            onForward: (r: ForwardResult) =>
              out(json ? { event: 'forward', ...r } : `${new Date().toISOString()}  --> ${r.type} ${r.id}  [${r.status ?? `failed: ${r.error ?? 'no answer'}`}]  ${r.durationMs} ms`),
          });
          await session.done;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await release?.();
        }
      }),
    );
}
