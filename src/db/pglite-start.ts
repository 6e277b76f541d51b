/**
 * How the embedded database starts light. Measured on the 2-core development machine
 * (bench/startup.bench.ts has the whole `npm start` figures):
 * - PGlite's default `shared_buffers` is 128 MB, all of it resident once touched; 32 MB took a
 *   bare PGlite on an existing directory from ~317 MB to ~190 MB RSS. An embedded hub is for
 *   development, demos and single-node use; its working set fits.
 * - Creating a data directory runs initdb in a second WebAssembly instance whose memory is never
 *   given back (~750 MB RSS after a fresh start, against ~390 MB when the same directory is loaded
 *   from a dump). So the first initdb on a machine is dumped into a cache, and every later new
 *   data directory is loaded from that dump (`loadDataDir`) instead of running initdb again.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { PGLITE_SERIALIZERS } from './pglite-host.mjs';

export const PGLITE_CONF = ['shared_buffers = 32MB'];

/** Binary parameters sent as binary (see pglite-host.mjs, where the database's worker thread finds them too). */
export { PGLITE_SERIALIZERS } from './pglite-host.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function pgliteVersion(): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    while (!fs.existsSync(path.join(dir, 'package.json')) && dir !== path.dirname(dir)) dir = path.dirname(dir);
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Where what makes new data directories faster is kept (the initdb dump, the migrated template). */
export const pgliteCacheDir = (): string => process.env.PATCHBAY_CACHE_DIR || path.join(ROOT, 'node_modules', '.cache', 'patchbay');

/** Where the dump of a freshly initialized data directory is kept (one per PGlite version). */
export function initdbDumpPath(): string {
  return path.join(pgliteCacheDir(), `pglite-${pgliteVersion()}-initdb.tar.gz`);
}

/** Options for opening `dir`: smaller buffers, and a new directory loaded from the dump when there is one. */
export function pgliteOptions(dir: string): { options: PGliteOptions; fresh: boolean; fromDump: boolean } {
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  const options: PGliteOptions = { postgresqlconf: PGLITE_CONF, serializers: PGLITE_SERIALIZERS };
  let fromDump = false;
  if (fresh) {
    try {
      options.loadDataDir = new Blob([fs.readFileSync(initdbDumpPath())]);
      fromDump = true;
    } catch {
      // No dump yet (or unreadable): initdb runs, and its result becomes the dump.
    }
  }
  return { options, fresh, fromDump };
}

/** Keeps the result of an initdb as the dump later new data directories load from (best effort). */
export async function keepInitdbDump(client: Pick<PGlite, 'dumpDataDir'>): Promise<void> {
  const target = initdbDumpPath();
  try {
    const dump = Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer());
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const staging = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(staging, dump);
    fs.renameSync(staging, target);
  } catch {
    // A read-only install keeps running initdb; nothing else depends on the dump.
  }
}
