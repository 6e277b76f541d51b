/**
 * Verified API keys kept in memory for a short time, keyed by the SHA-256 of the key (the key
 * itself is never kept). An entry holds what authorization needs (ids, environment name, role,
 * scopes, rate limits, whether it is revoked) and nothing secret.
 *
 * Invariants:
 * - an entry lives at most `ttlMs`; the oldest entries go first beyond `maxEntries`;
 * - a change (key-changes.ts) evicts every entry it concerns, from every process, when it commits;
 * - a lookup that overlapped a change is not kept (the ticket taken before it no longer matches),
 *   and while this process has a change in flight (announced, not yet heard back as committed)
 *   nothing new is kept, so no entry can hold what the database showed just before the commit.
 */
import type { Clock } from '../core/index.ts';
import type { ApiKeyChange } from './key-changes.ts';
import type { KeyRateLimits } from './schema.ts';

export interface VerifiedApiKey {
  id: string;
  organizationId: string;
  environmentId: string;
  environmentName: string;
  role: string | null;
  scopes: readonly string[];
  rateLimits: KeyRateLimits;
  revoked: boolean;
}

export interface ApiKeyCacheOptions {
  /** 0 keeps nothing (every request looks its key up). */
  ttlMs: number;
  clock: Clock;
  /** Default 10,000. */
  maxEntries?: number;
  /** How long a change announced here blocks caching when its commit is never heard of (a rollback). Default 5 s. */
  holdMs?: number;
}

/** Taken before a lookup, given back to `set`: tells whether the lookup overlapped a change. */
export type CacheTicket = number | undefined;

export class ApiKeyCache {
  readonly #entries = new Map<string, { key: VerifiedApiKey; expiresAt: number }>();
  /** Changes announced by this process and not yet heard back as committed: target → until (ms). */
  readonly #holds = new Map<string, number>();
  #epoch = 0;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #holdMs: number;
  readonly #clock: Clock;

  constructor(options: ApiKeyCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#holdMs = options.holdMs ?? 5_000;
    this.#clock = options.clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(tokenHash: string): VerifiedApiKey | undefined {
    const entry = this.#entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expiresAt > this.#now()) return entry.key;
    this.#entries.delete(tokenHash);
    return undefined;
  }

  ticket(): CacheTicket {
    const now = this.#now();
    for (const [target, until] of this.#holds) if (until <= now) this.#holds.delete(target);
    return this.#holds.size > 0 ? undefined : this.#epoch;
  }

  set(tokenHash: string, key: VerifiedApiKey, ticket: CacheTicket): void {
    if (this.#ttlMs <= 0 || ticket === undefined || ticket !== this.#epoch) return;
    this.#entries.delete(tokenHash);
    this.#entries.set(tokenHash, { key, expiresAt: this.#now() + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** A change this process announced, not committed yet. */
  changing(change: ApiKeyChange): void {
    this.#evict(change);
    this.#holds.set(targetOf(change), this.#now() + this.#holdMs);
  }

  /** A committed change (its notification). */
  changed(change: ApiKeyChange): void {
    this.#evict(change);
    this.#holds.delete(targetOf(change));
  }

  /** Forgets every entry (a notification that could not be read). */
  clear(): void {
    this.#epoch++;
    this.#entries.clear();
  }

  #evict(change: ApiKeyChange): void {
    this.#epoch++;
    for (const [hash, { key }] of this.#entries) if (concerns(change, key)) this.#entries.delete(hash);
  }

  #now(): number {
    return this.#clock.now().getTime();
  }
}

function concerns(change: ApiKeyChange, key: VerifiedApiKey): boolean {
  if ('keyId' in change) return key.id === change.keyId;
  if ('environmentId' in change) return key.environmentId === change.environmentId;
  return key.organizationId === change.organizationId;
}

function targetOf(change: ApiKeyChange): string {
  if ('keyId' in change) return `key:${change.keyId}`;
  if ('environmentId' in change) return `env:${change.environmentId}`;
  return `org:${change.organizationId}`;
}
