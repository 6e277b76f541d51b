/**
 * `node prepare-child <dataDir>`: creates and migrates a new embedded data directory, then exits
 * (see prepare.ts for why in a process of its own). Only the error's message reaches stderr.
 */
import { prepareDataDir } from './prepare.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: prepare-child <dataDir>\n');
  process.exit(2);
}
try {
  await prepareDataDir(dataDir);
  process.exit(0);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
