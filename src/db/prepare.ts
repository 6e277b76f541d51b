/**
 * A new embedded data directory, made in a child process. Creating one (loading the initdb dump,
 * or running initdb, then every migration) grows PGlite's WebAssembly memory, and a WebAssembly
 * memory never shrinks: the hub that made its directory idled ~130 MB above one that opened an
 * existing directory (bench/startup.bench.ts). A child process that makes the directory and
 * exits gives all of it back; the hub then opens the directory as on any later start. Measured
 * on the development machine: ~0.4 s more on a first start, idle RSS as after a second start.
 * (A worker thread was tried first: its memory was not given back.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, pgliteDir } from './connection.ts';
import { migrate } from './migrate.ts';

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

/** Creates and migrates the data directory in this process (what the child runs). */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const database = await openDatabase({ dataDir });
  try {
    await migrate(database.db);
  } finally {
    await database.close();
  }
}

/**
 * Makes a fresh data directory in a child process when a command for it is set; otherwise does
 * nothing, and the hub makes the directory itself as it opens it. A failing child is reported
 * with what it printed.
 */
export async function prepareFreshDataDir(dataDir: string): Promise<boolean> {
  if (!command || !isFreshDataDir(dataDir)) return false;
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
