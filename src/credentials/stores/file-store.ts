import fs from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from './secret-store.ts';
import { parseSecretReference, SecretStoreError } from './reference.ts';

export interface FileSecretStoreOptions {
  /** The only directory references may read under (e.g. `/run/secrets`), symlinks resolved. */
  directory: string;
  /** Default 64 KiB: a secret, not a data file. */
  maxBytes?: number;
}

const within = (parent: string, child: string): boolean => child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

/** `file:/run/secrets/stripe` or `file:stripe` (relative to the directory) → the file's text, minus one final newline. */
export function createFileSecretStore(options: FileSecretStoreOptions): SecretStore {
  const directory = path.resolve(options.directory);
  const maxBytes = options.maxBytes ?? 64 * 1024;
  return {
    async resolve(reference) {
      const parsed = parseSecretReference(reference);
      if (parsed.store !== 'file') throw new SecretStoreError('invalid_reference', reference, `${reference} is not a file: reference.`);
      const refused = () => new SecretStoreError('not_allowed', reference, `Only files under ${directory} can be referenced.`);
      const lexical = path.resolve(directory, parsed.path);
      if (!within(directory, lexical)) throw refused();
      let real: string;
      let realDirectory: string;
      try {
        realDirectory = await fs.realpath(directory);
        real = await fs.realpath(lexical);
      } catch (err) {
        throw new SecretStoreError('not_found', reference, `No file at ${lexical}.`, { cause: err });
      }
      // A symlink inside the directory must not lead out of it.
      if (!within(realDirectory, real)) throw refused();
      const stat = await fs.stat(real);
      if (!stat.isFile()) throw new SecretStoreError('not_found', reference, `${lexical} is not a file.`);
      if (stat.size > maxBytes) throw new SecretStoreError('not_allowed', reference, `${lexical} is larger than ${maxBytes} bytes.`);
      return (await fs.readFile(real, 'utf8')).replace(/\r?\n$/, '');
    },
  };
}
