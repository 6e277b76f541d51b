/**
 * A new embedded data directory, made in a child process. Creating one (loading the initdb dump,
 * or running initdb, then every migration) grows PGlite's WebAssembly memory, and a WebAssembly
 * memory never shrinks: the hub that made its directory idled ~130 MB above one that opened an
 * existing directory (bench/startup.bench.ts). A child process that makes the directory and
 * exits gives all of it back; the hub then opens the directory as on any later start. Measured
 * on the development machine: ~0.4 s more on a first start, idle RSS as after a second start.
 * (A worker thread was tried first: its memory was not given back.)
 *
 * The child also keeps its result, closed cleanly, as a template (one per PGlite version and set
 * of migrations): every later new data directory on the machine is a copy of the template, made in
 * ~0.1 s with no database started at all. `npm install` makes the template ahead of the first
 * start (demo/launch.mjs --prepare).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, pgliteDir } from './connection.ts';
import { DIR_MODE } from './data-dir-modes.ts';
import { migrate, MIGRATIONS_FOLDER } from './migrate.ts';
import { pgliteCacheDir, pgliteVersion } from './pglite-start.ts';

/** How to run `prepare-child`: set by a start that has it compiled (demo/launch.mjs). */
export interface PrepareCommand {
  execPath: string;
  args: string[];
}

let command: PrepareCommand | undefined;

export function usePrepareCommand(next: PrepareCommand | undefined): void {
  command = next;
}

export function isFreshDataDir(dataDir: string): boolean {
  return !fs.existsSync(path.join(pgliteDir(dataDir), 'PG_VERSION'));
}

/** The migrations' fingerprint: a template made by other migrations is another template. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else hash.update(path.relative(MIGRATIONS_FOLDER, full)).update('\0').update(fs.readFileSync(full)).update('\0');
    }
  };
  walk(MIGRATIONS_FOLDER);
  return hash.digest('hex').slice(0, 16);
}

/** Where the migrated template of this PGlite version and these migrations is kept. */
export function templateDir(): string {
  return path.join(pgliteCacheDir(), `pglite-${pgliteVersion()}-migrated-${migrationsHash()}`);
}

/** Keeps a cleanly closed, migrated data directory as the template (best effort, never half a copy). */
function keepTemplate(dataDir: string): void {
  const target = templateDir();
  if (fs.existsSync(target)) return;
  const staging = `${target}.${process.pid}.tmp`;
  try {
    fs.cpSync(pgliteDir(dataDir), staging, { recursive: true });
    fs.renameSync(staging, target);
  } catch {
    // Read-only install, or another process kept one first: later starts prepare as this one did.
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Makes `dataDir` a copy of the template; false when there is none. */
function copyTemplate(dataDir: string): boolean {
  const source = templateDir();
  if (!fs.existsSync(path.join(source, 'PG_VERSION'))) return false;
  const target = pgliteDir(dataDir);
  if (fs.existsSync(target)) {
    if (fs.readdirSync(target).length > 0) return false; // something half made: the child deals with it
    fs.rmdirSync(target);
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  // Copied aside and renamed: a start that fails midway leaves a fresh directory, not half a database.
  const staging = `${target}.${process.pid}.tmp`;
  fs.cpSync(source, staging, { recursive: true });
  fs.renameSync(staging, target);
  return true;
}

/** Creates and migrates the data directory in this process (what the child runs), and keeps it as the template. */
export async function prepareDataDir(dataDir: string): Promise<void> {
  // On this thread: the child only makes the directory and exits, nothing waits on its event loop.
  const database = await openDatabase({ dataDir, pgliteThread: false });
  try {
    await migrate(database.db);
  } finally {
    await database.close();
  }
  keepTemplate(dataDir);
}

/**
 * Makes a fresh data directory when a command for it is set: a copy of the template when there is
 * one, else in a child process (which leaves the template). Without a command it does nothing,
 * and the hub makes the directory itself as it opens it. A failing child is reported with what it
 * printed.
 */
export async function prepareFreshDataDir(dataDir: string): Promise<boolean> {
  if (!command || !isFreshDataDir(dataDir)) return false;
  try {
    if (copyTemplate(dataDir)) return true;
  } catch (err) {
    throw new Error(`could not create the data directory ${dataDir}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const { execPath, args } = command;
  const child = spawn(execPath, [...args, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 4_000) stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`could not create the data directory ${dataDir}: ${stderr.trim() || `exit code ${String(code)}`}`);
  return true;
}
