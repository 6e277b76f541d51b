/**
 * `npm run conformance`: runs the conformance suite (test/connectors/conformance.test.ts) and
 * prints one row per connector and one column per check: ✓ passed, ✗ failed, – does not apply.
 * `--readme` also writes the table into README.md between the conformance markers. Exits non-zero
 * when any check failed. Extra arguments go to vitest (e.g. `-t stripe`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SUITE = 'test/connectors/conformance.test.ts';
const START = '<!-- conformance:start (npm run conformance -- --readme) -->';
const END = '<!-- conformance:end -->';

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';
  failureMessages?: string[];
}

const args = process.argv.slice(2);
const writeReadme = args.includes('--readme');
const passThrough = args.filter((a) => a !== '--readme');
const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-')), 'results.json');
const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', SUITE, '--reporter=dot', '--reporter=json', `--outputFile.json=${output}`, ...passThrough], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (!fs.existsSync(output)) {
  process.stderr.write('conformance: the suite wrote no results\n');
  process.exit(run.status ?? 1);
}
const report = JSON.parse(fs.readFileSync(output, 'utf8')) as { testResults: { assertionResults: AssertionResult[] }[] };
const results = report.testResults.flatMap((file) => file.assertionResults);

const checks: string[] = [];
const rows = new Map<string, Map<string, AssertionResult['status']>>();
for (const result of results) {
  const connector = result.ancestorTitles[0];
  if (!connector) continue;
  const check = result.title.split(':')[0]!.trim();
  if (!checks.includes(check)) checks.push(check);
  const row = rows.get(connector) ?? new Map();
  row.set(check, result.status);
  rows.set(connector, row);
}
const mark = (status: AssertionResult['status'] | undefined): string => (status === 'passed' ? '✓' : status === 'failed' ? '✗' : '–');
const lines = [
  `| connector | ${checks.join(' | ')} |`,
  `| --- | ${checks.map(() => ':-:').join(' | ')} |`,
  ...[...rows.keys()].sort().map((connector) => `| ${connector} | ${checks.map((c) => mark(rows.get(connector)!.get(c))).join(' | ')} |`),
];
const failed = results.filter((r) => r.status === 'failed');
process.stdout.write(`\n${lines.join('\n')}\n\n${rows.size} connectors, ${results.filter((r) => r.status === 'passed').length} checks passed, ${failed.length} failed\n`);
for (const f of failed) process.stdout.write(`  ✗ ${f.ancestorTitles.join(' › ')} › ${f.title}\n`);

if (writeReadme && failed.length === 0) {
  const readme = fs.readFileSync('README.md', 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    process.stderr.write(`conformance: README.md has no ${START} … ${END} markers\n`);
    process.exit(1);
  }
  fs.writeFileSync('README.md', `${readme.slice(0, start + START.length)}\n${lines.join('\n')}\n${readme.slice(end)}`);
  process.stdout.write('README.md updated\n');
}
process.exit(failed.length > 0 ? 1 : (run.status ?? 0));
