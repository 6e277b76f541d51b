/**
 * `npm run bench [name…]`: runs every `bench/*.bench.ts` (or the names given), each in its own
 * process, one after another so they do not compete for the CPU. Each writes
 * `bench/results/<name>.json`; then the README's table is regenerated from them (bench/table.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateReadme } from './table.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const failed: string[] = [];
for (const name of requested.length > 0 ? requested : available) {
  console.log(`\n▶ ${name}`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.bench.ts`)], { stdio: 'inherit' });
    child.once('exit', resolve);
  });
  if (code !== 0) failed.push(name);
}
// The README's table is generated from the results, never typed in.
console.log(updateReadme() ? '\nREADME.md: benchmark table regenerated from bench/results/' : '\nREADME.md: benchmark table unchanged');
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
