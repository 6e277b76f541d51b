/**
 * The registry: every connector of `catalog/`, loaded once at start-up and validated, plus
 * declarative ones registered at run time. The catalog API, the dashboard, the docs generator
 * and the CLI all read from it. A broken connector stops start-up with a message naming its file.
 *
 * A catalog entry is `<key>.ts` (or `.js`/`.mjs`) exporting `defineConnector(…)` as default, a
 * folder `<key>/` with an `index.ts`, or a declarative `<key>.json`. Names starting with `_` or
 * `.`, tests and type declarations are skipped.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toError } from '../core/index.ts';
import type { Capability, Category, ConnectionMode } from './manifest.ts';
import { ManifestError, toConnector, type Connector } from './sdk.ts';
import { formatProblems, type ManifestProblem } from './validate.ts';

export const DEFAULT_CATALOG_DIR = fileURLToPath(new URL('./catalog/', import.meta.url));

export interface ConnectorFilter {
  category?: Category | (string & {});
  capability?: Capability | (string & {});
  connectionMode?: ConnectionMode | (string & {});
  /** Words searched in key, name and description; every word must match. */
  q?: string;
}

export interface ConnectorLoadFailure {
  /** Path of the broken file, relative to the working directory. */
  file: string;
  problems: readonly ManifestProblem[];
}

/** One or more catalog entries are broken; the message names each file and what is wrong. */
export class ConnectorLoadError extends Error {
  constructor(
    readonly failures: readonly ConnectorLoadFailure[],
    options?: { cause?: unknown },
  ) {
    super(failures.map((f) => `Connector ${f.file} is broken:\n${formatProblems(f.problems)}`).join('\n'), options);
    this.name = 'ConnectorLoadError';
  }
  get file(): string {
    return this.failures[0]?.file ?? '';
  }
}

export class ConnectorRegistry {
  readonly #connectors = new Map<string, Connector>();
  readonly #sources = new Map<string, string>();

  /** Adds a loaded connector; a key already taken is an error naming both sources. */
  register(connector: Connector, source: string): void {
    const existing = this.#sources.get(connector.key);
    if (existing !== undefined) {
      throw new ConnectorLoadError([
        { file: source, problems: [{ path: 'key', message: `"${connector.key}" is already the key of ${existing}` }] },
      ]);
    }
    this.#connectors.set(connector.key, connector);
    this.#sources.set(connector.key, source);
  }

  /**
   * Loads a provider with no code at run time, with the same validation as the catalog.
   * @param json a manifest object, or its JSON text
   */
  registerDeclarative(json: unknown, source = 'runtime'): Connector {
    const connector = declarativeConnector(json, source);
    this.register(connector, source);
    return connector;
  }

  get(key: string): Connector | undefined {
    return this.#connectors.get(key);
  }

  /** Where a connector came from (its file, or `runtime`). */
  sourceOf(key: string): string | undefined {
    return this.#sources.get(key);
  }

  /** Connectors matching every given filter, by name. */
  list(filter: ConnectorFilter = {}): Connector[] {
    const words = (filter.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    return [...this.#connectors.values()]
      .filter(({ manifest }) => {
        if (filter.category && manifest.category !== filter.category) return false;
        if (filter.capability && !(manifest.capabilities as readonly string[]).includes(filter.capability)) return false;
        if (filter.connectionMode && manifest.connectionMode !== filter.connectionMode) return false;
        const text = `${manifest.key} ${manifest.name} ${manifest.description}`.toLowerCase();
        return words.every((word) => text.includes(word));
      })
      .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
  }

  get size(): number {
    return this.#connectors.size;
  }
}

/**
 * Loads every entry of a catalog directory into a new registry. Every entry is tried before
 * failing, so one start-up names every broken file.
 */
export async function loadCatalog(dir: string = DEFAULT_CATALOG_DIR): Promise<ConnectorRegistry> {
  const entries = await catalogEntries(dir);
  const loaded = await Promise.all(entries.map(async (entry) => ({ entry, result: await loadEntry(entry) })));
  const registry = new ConnectorRegistry();
  const failures: ConnectorLoadFailure[] = [];
  for (const { entry, result } of loaded) {
    if ('problems' in result) {
      failures.push({ file: entry.display, problems: result.problems });
      continue;
    }
    try {
      registry.register(result.connector, entry.display);
    } catch (err) {
      if (err instanceof ConnectorLoadError) failures.push(...err.failures);
      else throw err;
    }
  }
  if (failures.length > 0) throw new ConnectorLoadError(failures);
  return registry;
}

interface CatalogEntry {
  /** The file to load. */
  file: string;
  /** The key its connector must have: the file or folder name. */
  key: string;
  display: string;
}

async function catalogEntries(dir: string): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  for (const dirent of await readdir(dir, { withFileTypes: true })) {
    const name = dirent.name;
    if (name.startsWith('_') || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (dirent.isDirectory()) {
      const index = (await readdir(full)).find((f) => /^index\.(ts|mjs|js)$/.test(f));
      if (index) entries.push(entry(path.join(full, index), name));
      else entries.push(entry(full, name));
      continue;
    }
    if (/\.(test|spec)\.[cm]?[jt]s$|\.d\.[cm]?ts$/.test(name)) continue;
    const match = /^(.+)\.(ts|mts|js|mjs|json)$/.exec(name);
    if (match) entries.push(entry(full, match[1]!));
  }
  return entries.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Catalog modules already in memory, by absolute file path: the compiled start (demo/launch.mjs)
 * bundles the built-in catalog, so its files are not imported from disk as TypeScript again.
 */
const preloaded = new Map<string, unknown>();

/** Hands the registry catalog modules that are already loaded (see `preloaded`). */
export function preloadCatalogModules(modules: Record<string, unknown>): void {
  for (const [file, mod] of Object.entries(modules)) preloaded.set(path.resolve(file), mod);
}

function entry(file: string, key: string): CatalogEntry {
  return { file, key, display: path.relative(process.cwd(), file) || file };
}

async function loadEntry(entry: CatalogEntry): Promise<{ connector: Connector } | { problems: ManifestProblem[] }> {
  try {
    let exported: unknown;
    if (entry.file.endsWith('.json')) {
      exported = JSON.parse(await readFile(entry.file, 'utf8'));
    } else if (/\.[cm]?[jt]s$/.test(entry.file)) {
      const mod = (preloaded.get(path.resolve(entry.file)) ?? (await import(pathToFileURL(entry.file).href))) as { default?: unknown };
      if (mod.default === undefined) {
        return { problems: [{ path: '', message: 'has no default export: write `export default defineConnector({ … })`' }] };
      }
      exported = mod.default;
    } else {
      return { problems: [{ path: '', message: 'is a folder without an index.ts' }] };
    }
    const connector = toConnector(exported);
    if (connector.key !== entry.key) {
      return {
        problems: [{ path: 'key', message: `is "${connector.key}" but the file is named for "${entry.key}"; a connector's key and file name must match` }],
      };
    }
    return { connector };
  } catch (err) {
    if (err instanceof ManifestError) return { problems: [...err.problems] };
    const error = toError(err);
    const what = err instanceof SyntaxError ? 'could not be parsed' : 'failed to load';
    return { problems: [{ path: '', message: `${what}: ${error.message}` }] };
  }
}

function declarativeConnector(json: unknown, source: string): Connector {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw new ConnectorLoadError([{ file: source, problems: [{ path: '', message: `is not valid JSON: ${toError(err).message}` }] }]);
    }
  }
  try {
    return toConnector(value);
  } catch (err) {
    if (err instanceof ManifestError) throw new ConnectorLoadError([{ file: source, problems: err.problems }], { cause: err });
    throw err;
  }
}

// The process-wide registry, loaded once at start-up.
let current: ConnectorRegistry | undefined;
let loading: Promise<ConnectorRegistry> | undefined;

/**
 * Loads the catalog once and makes it the registry `getConnector` and `listConnectors` read.
 * `catalogDir` replaces the default catalog (tests).
 */
export async function loadRegistry(options: { catalogDir?: string } = {}): Promise<ConnectorRegistry> {
  if (options.catalogDir !== undefined) {
    const registry = await loadCatalog(options.catalogDir);
    current = registry;
    return registry;
  }
  loading ??= loadCatalog().then(
    (registry) => (current = registry),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

function loadedRegistry(): ConnectorRegistry {
  if (!current) throw new Error('the connector registry is not loaded: await loadRegistry() at start-up');
  return current;
}

export function getConnector(key: string): Connector | undefined {
  return loadedRegistry().get(key);
}

export function listConnectors(filter: ConnectorFilter = {}): Connector[] {
  return loadedRegistry().list(filter);
}

/** Registers a provider described by JSON alone into the loaded registry. */
export function registerDeclarativeConnector(json: unknown): Connector {
  return loadedRegistry().registerDeclarative(json);
}
