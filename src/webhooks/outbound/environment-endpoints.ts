/**
 * An environment's enabled endpoints as the fan-out needs them — each row with its compiled
 * matcher (event types, `sync.*` prefixes, channels, payload filter) — cached in the process and
 * checked rather than read again on every publish. The fan-out's insert compares the
 * environment's endpoint versions (`endpointsVersion`: ids and row versions) with the cached ones
 * in the same statement and writes nothing when they differ; the fan-out then reads the
 * endpoints again and repeats the insert. A publish so targets exactly the endpoints a fresh read
 * in its statement would see — whichever process created, changed, disabled or deleted them —
 * and a publish to an unchanged environment costs no read at all.
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import type { Event } from '../../events/index.ts';
import { compileFilter } from './filter.ts';
import { endpoints, type EndpointRow } from './schema.ts';

export type Matcher = (event: Event) => boolean;

export interface MatchingEndpoint {
  endpoint: EndpointRow;
  match: Matcher;
}

export interface EnvironmentEndpoints {
  /** `endpointsVersion` when these were read. */
  version: string;
  endpoints: MatchingEndpoint[];
}

/** The ids and row versions (xmin) of an environment's enabled endpoints, as one string. */
export const endpointsVersion = (organizationId: string, environmentId: string): SQL =>
  sql`(select coalesce(string_agg(e.id || ':' || e.xmin::text, ',' order by e.id), '') from outbound_endpoints e
    where e.organization_id = ${organizationId} and e.environment_id = ${environmentId} and e.enabled)`;

function matcherOf(endpoint: EndpointRow): Matcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const name of endpoint.eventTypes ?? []) {
    if (name.endsWith('.*')) prefixes.push(name.slice(0, -1));
    else exact.add(name);
  }
  const anyType = endpoint.eventTypes === null;
  const channels = endpoint.channels ? new Set(endpoint.channels) : null;
  const filter = endpoint.filter ? compileFilter(endpoint.filter) : null;
  return (event) =>
    (anyType || exact.has(event.type) || prefixes.some((p) => event.type.startsWith(p))) &&
    (!channels || event.channels.some((c) => channels.has(c))) &&
    (!filter || filter(event.data));
}

const MAX_ENVIRONMENTS = 1_000;
// By environment id, least recently used first.
const cache = new Map<string, EnvironmentEndpoints>();

/** The cached endpoints of an environment, if any (their version is checked by the caller's insert). */
export function cachedEndpoints(environmentId: string): EnvironmentEndpoints | undefined {
  const entry = cache.get(environmentId);
  if (entry) {
    cache.delete(environmentId);
    cache.set(environmentId, entry);
  }
  return entry;
}

/** Reads an environment's enabled endpoints with their version, and caches them. */
export async function readEndpoints(tx: Db, organizationId: string, environmentId: string): Promise<EnvironmentEndpoints> {
  const found = await tx
    .select({ endpoint: endpoints, version: sql<string>`${endpointsVersion(organizationId, environmentId)}` })
    .from(endpoints)
    .where(and(eq(endpoints.organizationId, organizationId), eq(endpoints.environmentId, environmentId), eq(endpoints.enabled, true)))
    .orderBy(asc(endpoints.id));
  // The version is read in the rows' own snapshot; no rows means no enabled endpoint ('').
  const entry: EnvironmentEndpoints = { version: found[0]?.version ?? '', endpoints: found.map(({ endpoint }) => ({ endpoint, match: matcherOf(endpoint) })) };
  cache.delete(environmentId);
  if (cache.size >= MAX_ENVIRONMENTS) cache.delete(cache.keys().next().value!);
  cache.set(environmentId, entry);
  return entry;
}
