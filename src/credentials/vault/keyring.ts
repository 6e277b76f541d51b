import type { MasterKey } from '../../core/index.ts';
import { MasterKeyNotConfiguredError } from './errors.ts';

/** The configured master keys: the first seals, any of them opens. */
export class Keyring {
  readonly current: MasterKey;
  readonly #byId: Map<string, MasterKey>;

  constructor(keys: readonly MasterKey[]) {
    const [current] = keys;
    if (!current) throw new Error('The vault needs at least one master key (PATCHBAY_SECRET_KEYS, current first).');
    for (const key of keys) {
      if (key.key.length !== 32) throw new Error(`Master key "${key.id}" must be 32 bytes, got ${key.key.length}.`);
    }
    this.current = current;
    this.#byId = new Map(keys.map((k) => [k.id, k]));
    if (this.#byId.size !== keys.length) throw new Error('Master key ids must be unique.');
  }

  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  get(id: string, secretId?: string): MasterKey {
    const key = this.#byId.get(id);
    if (!key) throw new MasterKeyNotConfiguredError([id], secretId ? `Secret ${secretId} is` : undefined);
    return key;
  }
}
