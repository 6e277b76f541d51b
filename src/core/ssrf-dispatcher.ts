/**
 * The connect-time half of the SSRF guard: an undici Agent whose sockets only ever dial addresses
 * the guard accepts. The host is resolved once, inside `connect.lookup`, and the addresses checked
 * are the ones the socket uses — there is no second lookup an attacker's DNS could answer
 * differently (DNS rebinding). IP literals skip `lookup` in `net.connect`, so they are checked
 * before the connector runs.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent, buildConnector } from 'undici';
import { parseIp } from './ip.ts';
import {
  SsrfError,
  bareHost,
  checkResolved,
  classifyAddress,
  classifyHostname,
  refusalReason,
  type Resolver,
} from './ssrf.ts';

export interface GuardedDispatcherOptions extends Omit<Agent.Options, 'connect'> {
  allowPrivateNetworks: boolean;
  /** Tests stand in their own DNS; production uses dns.lookup. */
  resolve?: Resolver;
  /** Socket and TLS options for undici's connector (`timeout`, `ca`, …). */
  connect?: buildConnector.BuildOptions;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `net.connect` lookup that refuses names resolving to any address the guard refuses. */
export function guardedLookup(options: { allowPrivateNetworks: boolean; resolve?: Resolver }) {
  return (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
    const target = hostname;
    const nameReason = refusalReason(classifyHostname(hostname), options.allowPrivateNetworks);
    if (nameReason) {
      callback(new SsrfError(nameReason, target), '');
      return;
    }
    checkResolved(hostname, target, options).then(
      (all) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
        const usable = family ? all.filter((a) => a.family === family) : all;
        const first = usable[0];
        if (!first) {
          callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '');
          return;
        }
        if (lookupOptions.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/**
 * An undici dispatcher for requests to user-configured URLs.
 *
 * @example
 * const dispatcher = createGuardedDispatcher({ allowPrivateNetworks: environment.allowPrivateNetworks });
 * await request(endpoint.url, { method: 'POST', body, dispatcher });
 */
export function createGuardedDispatcher(options: GuardedDispatcherOptions): Agent {
  const { allowPrivateNetworks, resolve, connect: connectOptions, ...agentOptions } = options;
  const lookup = guardedLookup({ allowPrivateNetworks, ...(resolve ? { resolve } : {}) });
  const base = buildConnector({ ...connectOptions, lookup } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (opts, callback) => {
    const host = bareHost(opts.hostname);
    if (parseIp(host)) {
      const reason = refusalReason(classifyAddress(host), allowPrivateNetworks);
      if (reason) {
        callback(new SsrfError(reason, `${opts.protocol}//${opts.host ?? host}`, host), null);
        return;
      }
    }
    base(opts, callback);
  };
  return new Agent({ ...agentOptions, connect });
}
