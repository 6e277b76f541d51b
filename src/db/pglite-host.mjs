/**
 * What makes a PGlite instance the way Patchbay runs it, in plain JavaScript: this module is
 * loaded both on the hub's thread and inside the database's worker thread (pglite-worker.mjs).
 * A worker on Node 20 gets no loader hooks (tsx's `--import` does not apply inside it), and the
 * compiled start (demo/launch.mjs) points every module at its source file; a `.mjs` file runs as
 * is in both, with nothing compiled for it. Types: pglite-host.d.mts.
 */
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/** PostgreSQL's type id of `bytea`. */
const BYTEA_OID = 17;

/**
 * Binary parameters sent as binary. PGlite's own serializer turns a Uint8Array into hex text by
 * way of one number and one string per byte: a 9.5 MiB inbound body cost ~20× its size in
 * transient memory (bench/inbound-memory.bench.ts). Handed back as bytes, PGlite's protocol
 * layer binds them in binary format, one copy.
 */
export const PGLITE_SERIALIZERS = {
  [BYTEA_OID]: (value) => {
    if (typeof value === 'string' || value instanceof Uint8Array) return value;
    throw new Error('Invalid input for bytea type');
  },
};

const tighten = (mode) => mode & ~0o077;

/**
 * PGlite's NodeFS, with every mode it creates or sets kept to the owner. Emscripten's NODEFS gives
 * its files the mode PostgreSQL asks for inside WebAssembly and then chmods them (0666, whatever
 * the umask); this strips group and other bits from every mode it creates or sets.
 */
export class OwnerOnlyNodeFS extends NodeFS {
  async init(...args) {
    const result = await super.init(...args);
    const preRun = result.emscriptenOpts.preRun ?? [];
    const ownerOnly = (module) => {
      const ops = module.FS.filesystems.NODEFS.node_ops;
      const { mknod, setattr } = ops;
      ops.mknod = (parent, name, mode, dev) => mknod(parent, name, tighten(mode), dev);
      ops.setattr = (node, attr) => setattr(node, attr && attr.mode !== undefined ? { ...attr, mode: tighten(attr.mode) } : attr);
    };
    result.emscriptenOpts.preRun = [ownerOnly, ...(Array.isArray(preRun) ? preRun : [preRun])];
    return result;
  }
}

/** Opens PGlite on `dir` (a data directory's `pgdata/`) with Patchbay's file system and serializers, ready. */
export async function createPglite(dir, { postgresqlconf, loadDataDir }) {
  const client = new PGlite({ postgresqlconf, serializers: PGLITE_SERIALIZERS, ...(loadDataDir ? { loadDataDir } : {}), dataDir: dir, fs: new OwnerOnlyNodeFS(dir) });
  await client.waitReady;
  return client;
}
