/**
 * Webhook loops, stopped where an endpoint is registered: an endpoint whose URL is one of this
 * hub's own inbound sources would have every forwarded event delivered back in, forwarded out
 * again, and so on (121 hops in 9 seconds before this guard). A URL is this hub's when its path
 * is `/webhooks/in/{id}` and either its origin is one this hub answers on (the public URL, or this
 * machine on the port served) or `{id}` is a source of this hub (a tunnel or another host name
 * pointing here).
 */
import os from 'node:os';
import type { Db } from '../../db/index.ts';
import { findSourceForIngest } from './sources.ts';

const INBOUND_PATH = /^\/webhooks\/in\/([^/]+)\/?$/;

function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Names and addresses that reach this machine. */
function isThisMachine(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '0.0.0.0' || host === '::' || host === '::1' || host.startsWith('127.')) return true;
  if (host.startsWith('::ffff:')) return isThisMachine(host.slice(7));
  return Object.values(os.networkInterfaces()).some((addresses) => addresses?.some((a) => a.address.toLowerCase() === host));
}

export interface LoopGuardOptions {
  /** The hub's public base URL (`PUBLIC_URL`). */
  publicUrl: string;
  /** The port this hub serves. */
  port: number;
}

/** The reason an endpoint may not use `url` (one of this hub's inbound URLs), or undefined. */
export function inboundLoopGuard(options: LoopGuardOptions): (url: URL, db: Db) => Promise<string | undefined> {
  const publicUrl = new URL(options.publicUrl);
  return async (url, db) => {
    const match = INBOUND_PATH.exec(url.pathname);
    if (!match) return undefined;
    let id: string;
    try {
      id = decodeURIComponent(match[1]!);
    } catch {
      return undefined;
    }
    const ownOrigin = (url.host === publicUrl.host && url.protocol === publicUrl.protocol) || (isThisMachine(url.hostname) && defaultPort(url) === options.port);
    const ownSource = ownOrigin || (/^src_[0-9a-z]{20,60}$/.test(id) && (await findSourceForIngest(db, id)) !== undefined);
    if (!ownOrigin && !ownSource) return undefined;
    return `${url.origin}${url.pathname} is an inbound source URL of this hub: events delivered there would be forwarded out again, in a loop. Point the endpoint at your own service; to act on a source's events, set the source's action instead.`;
  };
}
