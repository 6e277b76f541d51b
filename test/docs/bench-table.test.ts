/**
 * Benchmark figures you can trust: the README's table is exactly what bench/table.ts generates
 * from the committed bench/results/*.json; each result names its machine; ranges span the rounds;
 * and the prose around the table quotes no figure of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarkRows, benchmarkTable, END, loadResults, START, withBenchmarkTable } from '../../bench/table.ts';
import { ROOT } from '../support/process.ts';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const results = loadResults();

describe("the README's benchmark table", () => {
  it('is exactly the table generated from the committed results (npm run bench:table)', () => {
    expect(withBenchmarkTable(readme, benchmarkTable(results))).toBe(readme);
  });

  it('has a row for every committed result, each naming its machine and day', () => {
    expect(Object.keys(results).length).toBeGreaterThanOrEqual(5);
    for (const [name, result] of Object.entries(results)) {
      expect(result.machine, `${name}.json names no machine`).toMatchObject({ cpus: expect.any(Number), cpu: expect.any(String), node: expect.any(String) });
      expect(typeof result.ranAt, `${name}.json has no ranAt`).toBe('string');
    }
    const rows = benchmarkRows(results);
    expect(rows.map((r) => r.benchmark)).toEqual(Object.keys(results).sort());
    for (const row of rows) expect(row.machine).toMatch(/^\d+× .+, Node \d+\.\d+\.\d+, \d{4}-\d{2}-\d{2}/);
  });

  it('quotes the range over the rounds, not the best round', () => {
    const queue = results.queue.throughput.patchbay.rounds.map((r: { jobsPerSecond: number }) => r.jobsPerSecond) as number[];
    const low = Math.min(...queue).toLocaleString('en-US');
    const high = Math.max(...queue).toLocaleString('en-US');
    expect(readme).toContain(`${low}–${high} jobs/s`);
  });

  it('says for every aim whether the committed run met it', () => {
    const block = readme.slice(readme.indexOf(START), readme.indexOf(END));
    for (const [name, result] of Object.entries(results)) {
      for (const [, met] of Object.entries((result.aim ?? {}) as Record<string, boolean>)) {
        expect(block).toContain(met ? 'met: ' : '**not met**: ');
      }
      expect(block).toContain(`bench/results/${name}.json`);
    }
    const all = Object.values(results).flatMap((r) => Object.values((r.aim ?? {}) as Record<string, boolean>));
    expect(block).toContain(`Aims met in the committed runs: ${all.filter(Boolean).length} of ${all.length}.`);
  });

  it('keeps figures out of the prose around the table (and the old unbacked headline is gone)', () => {
    const section = readme.slice(readme.indexOf('## Benchmarks'));
    const prose = section.slice(0, section.indexOf(START)) + section.slice(section.indexOf(END) + END.length);
    const figures = prose.match(/\d[\d,.]*\s*(k\s)?(req\/s|jobs\/s|records\/s|deliveries\/s|POSTs\/s|ms|µs|%|MB|MiB)/g) ?? [];
    expect(figures).toEqual([]);
    expect(readme).not.toContain('16,945');
    expect(readme).not.toContain('3,519');
  });
});
