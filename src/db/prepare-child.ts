/**
 * `node prepare-child <dataDir>`: creates and migrates a new embedded data directory, then exits
 * (see prepare.ts for why in a process of its own). Only the error's message reaches stderr.
 * `node prepare-child --template`: makes the migrated template when it is missing, in a temporary
 * directory it removes after (what `npm install` runs, so that the first start copies it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareDataDir, templateDir } from './prepare.ts';

const arg = process.argv[2];
if (!arg) {
  process.stderr.write('usage: prepare-child <dataDir> | --template\n');
  process.exit(2);
}
try {
  if (arg !== '--template') await prepareDataDir(arg);
  else if (!fs.existsSync(templateDir())) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-template-'));
    try {
      await prepareDataDir(scratch);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  process.exit(0);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
