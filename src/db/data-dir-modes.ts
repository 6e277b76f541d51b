/**
 * The embedded data directory holds the whole database (and, without PATCHBAY_SECRET_KEYS, the
 * master key): only the user who runs Patchbay may read it. Directories are 0700 and files 0600.
 *
 * PGlite's Node file system (Emscripten's NODEFS) gives its files the mode PostgreSQL asks for
 * inside WebAssembly and then chmods them — 0666, world-writable, whatever the umask. `OwnerOnlyNodeFS`
 * strips group and other bits from every mode it creates or sets, so new files are 0600 from the
 * start; `tightenDataDirModes` fixes directories made before this (or by hand), at each open.
 */
import fs from 'node:fs';
import path from 'node:path';

/** PGlite's NodeFS, with every mode it creates or sets kept to the owner (in plain JavaScript: the database's worker thread loads it too). */
export { OwnerOnlyNodeFS } from './pglite-host.mjs';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Every entry under `dir` (itself included) wider than 0700 (directories) or 0600 (anything else), as `path mode`. Symbolic links are not followed. */
export function looseDataDirModes(dir: string): { path: string; mode: number; directory: boolean }[] {
  const loose: { path: string; mode: number; directory: boolean }[] = [];
  const visit = (entry: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(entry);
    } catch {
      return; // gone meanwhile
    }
    if (stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o777;
    const directory = stat.isDirectory();
    if (mode & (directory ? ~DIR_MODE : ~FILE_MODE) & 0o777) loose.push({ path: entry, mode, directory });
    if (directory) for (const name of fs.readdirSync(entry)) visit(path.join(entry, name));
  };
  if (fs.existsSync(dir)) visit(dir);
  return loose;
}

/** Restricts the data directory tree to its owner (directories 0700, files 0600); returns how many entries it changed. */
export function tightenDataDirModes(dir: string): number {
  const loose = looseDataDirModes(dir);
  for (const entry of loose) {
    try {
      fs.chmodSync(entry.path, entry.directory ? DIR_MODE : entry.mode & FILE_MODE);
    } catch {
      // A file PGlite removed meanwhile.
    }
  }
  return loose.length;
}
